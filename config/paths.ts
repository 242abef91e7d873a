import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (demo models, pipelines, rules and benches are found from it). Its own module so
 * light entry points (the CLI's command table) need not load the settings schema.
 */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
