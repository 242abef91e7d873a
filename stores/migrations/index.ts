export { MIGRATIONS, migrate } from './list';
export type { Migration } from './list';
