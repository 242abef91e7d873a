import { z } from 'zod';

/**
 * zod, for the worker to load once per reusable V8 context (workers/workflow-bundle.ts).
 *
 * Why a module of ours: zod declares itself free of side effects, so the bundler dropped a bare
 * `preloadModules: ['zod']` (it compiled to `0;`) and every workflow run evaluated zod's modules
 * afresh. Re-exporting its namespace makes the preload keep it, so its modules land in the
 * context's shared cache. Nothing imports this module.
 */
export { z as sharedZod };

// zod keeps its settings in a global (`__zod_globalConfig`) and fills in its default locale and
// memoizer the first time a schema is built. The SDK freezes the context's globals right after the
// preload, so build one schema now, while that global can still be written.
z.object({ ready: z.string() }).safeParse({ ready: 'yes' });
