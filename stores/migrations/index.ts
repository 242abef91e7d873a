export { MIGRATIONS } from './list';
export type { Migration } from './list';
export { migrate } from './migrate';
