/**
 * Values built once per process and then shared: zod schemas, above all.
 *
 * Why: the workflow sandbox (reusable V8 context) evaluates every workflow module afresh for each
 * workflow run, so a module's top-level `z.object(...)` calls ran again for every decision — about
 * 8 ms of CPU each, the biggest single cost in the sandbox (bench/sandbox). The worker preloads
 * this module (workers/workflow-bundle.ts), so its map outlives the runs and a module's schemas are
 * built by the first run and found by the rest. Preloading the schema modules themselves does not
 * work: the SDK deep-freezes preloaded exports, and zod binds methods onto a schema on first use.
 *
 * Only for values that are pure and the same whichever run builds them (schemas: stateless
 * validators). Outside the sandbox this is a plain memo.
 */
const built = new Map<string, unknown>();

/** The value under `key`, built by `build` the first time it is asked for. */
export function builtOnce<T>(key: string, build: () => T): T {
  if (built.has(key)) return built.get(key) as T;
  const value = build();
  built.set(key, value);
  return value;
}
