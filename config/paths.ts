import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (demo models, pipelines, rules and benches are found from it). Its own module so
 * light entry points (the CLI's command table) need not load the settings schema.
 */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The demo's folders: the defaults of ARBITER_MODELS_DIR, ARBITER_PIPELINES_DIR and ARBITER_RULES_DIR. */
export const DEMO_DIRS = {
  models: resolve(PROJECT_ROOT, 'demo', 'models'),
  pipelines: resolve(PROJECT_ROOT, 'demo', 'pipelines'),
  rules: resolve(PROJECT_ROOT, 'demo', 'rules'),
} as const;
