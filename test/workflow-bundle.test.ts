import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from './helpers/temporal';
import { PRELOADED_MODULES } from '../workers/workflow-bundle';

/** The body of the bundle's `preloadModules`: what the reusable context evaluates once per worker. */
function preloadBody(code: string): string {
  const start = code.indexOf('exports.preloadModules = function preloadModules() {');
  expect(start, 'the bundle has a preloadModules function').toBeGreaterThan(0);
  return code.slice(start, code.indexOf('\n}', start));
}

describe('workflow bundle', () => {
  it('keeps every preloaded module (a module the bundler finds free of side effects would compile to `0;`)', async () => {
    const { code } = await bundleWorkflows();
    const body = preloadBody(code);
    const required = [...body.matchAll(/__webpack_require__\([^)]*?"([^"]+)"\)/g)].map((m) => m[1]);
    expect(required).toHaveLength(PRELOADED_MODULES.length);
    expect(body).not.toMatch(/^\s*0;\s*$/m);
    // zod itself through core/shared-libraries.ts: its modules are in the bundle once, shared.
    expect(required).toContain('./core/shared-libraries.ts');
    expect(code).toMatch(/"\.\/node_modules\/zod\/v4\/classic\/schemas\.js"/);
  }, 120_000);

  it('concatenates the workflow modules into one, and leaves each preloaded module apart, in one copy', async () => {
    const { code } = await bundleWorkflows();
    const ids = [...code.matchAll(/\n\/\*\*\*\/ "([^"]+)"/g)].map((m) => m[1] ?? '');
    // Scope hoisting folded every workflow module into the entry: one module evaluated per run.
    expect(ids.filter((id) => id.startsWith('./workflows/'))).toEqual(['./workflows/index.ts']);
    expect(ids.filter((id) => id.startsWith('./core/')).sort()).toEqual([
      './core/built-once.ts',
      './core/shared-libraries.ts',
    ]);
    // A copy of the memo folded into a workflow module would be evaluated per run: schemas rebuilt each decision.
    expect(code.match(/const built = new Map/g)).toHaveLength(1);
  }, 120_000);
});
