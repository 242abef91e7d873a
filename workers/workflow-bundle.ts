import { fileURLToPath } from 'node:url';
import type { BundleOptions } from '@temporalio/worker';

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

/** The module that sets the sandbox's `Error.stackTraceLimit` to 0 (see it for why). */
export const NO_STACK_TRACES_MODULE = fileURLToPath(new URL('../core/no-workflow-stack-traces.ts', import.meta.url));

/**
 * What the orchestrator worker preloads: the shared modules, and unless `stackTraces`
 * (ARBITER_WORKFLOW_STACK_TRACES), the module that turns the SDK's per-promise stack capture off.
 */
export function preloadedModules(stackTraces: boolean): string[] {
  return stackTraces ? PRELOADED_MODULES : [NO_STACK_TRACES_MODULE, ...PRELOADED_MODULES];
}

/**
 * Webpack's module concatenation (scope hoisting) in the workflow bundle: our ES modules become one
 * scope instead of a function each. Why: the SDK bundles in development mode, where it is off, and
 * the reusable V8 context evaluates the bundle's modules afresh for each workflow run (the preloaded
 * ones aside), so every decision paid webpack's per-module wrapper and export helpers for ~120
 * modules (~0.7 CPU ms, profiled). Concatenated, the workflow modules evaluate as one: each run still
 * gets fresh module state (workflows/patches.ts relies on it). The preloaded modules stay apart, as
 * the preload requires them by id (test/workflow-bundle checks both).
 */
export const concatenateModules: NonNullable<BundleOptions['webpackConfigHook']> = (config) => ({
  ...config,
  optimization: { ...config.optimization, concatenateModules: true },
});

/** The bundler options of the orchestrator worker (`stackTraces`: see `preloadedModules`). */
export function workflowBundlerOptions(stackTraces: boolean) {
  return { preloadModules: preloadedModules(stackTraces), webpackConfigHook: concatenateModules };
}
