import { readdirSync } from 'node:fs';
import { Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { installCliRuntime } from '../cli/runtime';
import { HISTORIES_DIR, loadHistories } from './helpers/histories';
import { bundleWorkflows } from './helpers/temporal';

// The replay corpus (STYLE rule 13): every committed history must replay on today's workflow code.
// A change that cannot replay one needs `patched()`, not a re-recorded history.
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
let results: Map<string, ReplayResult>;

beforeAll(async () => {
  installCliRuntime();
  const workflowBundle: WorkflowBundleWithSourceMap = await bundleWorkflows();
  const histories = await loadHistories();
  results = new Map();
  const replayed = Worker.runReplayHistories(
    { workflowBundle },
    histories.map(({ name, history }) => ({ workflowId: name, history })),
  );
  for await (const result of replayed) results.set(result.workflowId, result);
});

describe('replay corpus', () => {
  it('holds histories', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => f.replace(/\.json$/, '')))('%s replays on the current workflow code', (name) => {
    const result = results.get(name);
    expect(result, `${name} was not replayed`).toBeDefined();
    expect(result?.error?.message).toBeUndefined();
  });
});
