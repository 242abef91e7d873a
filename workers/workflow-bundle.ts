import { fileURLToPath } from 'node:url';

/** Path of the workflow bundle's entry; Temporal's bundler compiles it for the sandbox. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules the worker's reusable V8 context loads once and shares with every workflow run, instead
 * of evaluating them afresh for each (the SDK's `preloadModules`; it deep-freezes their exports).
 * Only stateless code belongs here: zod (through core/shared-libraries.ts: a bare 'zod' is dropped
 * by the bundler), jsonata, json-rules-engine, and the memo the schema modules build their schemas
 * into once (core/built-once.ts). bench/sandbox measures what this saves; test/workflow-bundle
 * checks that none of them is dropped.
 */
export const PRELOADED_MODULES = [
  fileURLToPath(new URL('../core/shared-libraries.ts', import.meta.url)),
  'jsonata',
  'json-rules-engine',
  fileURLToPath(new URL('../core/built-once.ts', import.meta.url)),
];
