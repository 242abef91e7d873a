import { fileURLToPath } from 'node:url';

/** Path of the workflow bundle's entry; Temporal's bundler compiles it for the sandbox. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules the worker's reusable V8 context loads once and shares with every workflow run, instead
 * of evaluating them afresh for each (the SDK's `preloadModules`; it deep-freezes their exports).
 * Only stateless code belongs here: zod, and the memo the schema modules build their schemas into
 * once (core/built-once.ts). bench/sandbox measures what this saves.
 */
export const PRELOADED_MODULES = [
  'zod',
  'jsonata',
  'json-rules-engine',
  fileURLToPath(new URL('../core/built-once.ts', import.meta.url)),
];
