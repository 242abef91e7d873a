import { randomBytes } from 'node:crypto';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkerOptions } from '@temporalio/worker';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { localRounds, spinForever } from './helpers/guard-workflows';
import { suiteTemporal } from './helpers/suite-temporal';

// patches/@temporalio+worker+1.24.0.patch: the SDK times the calls of one activation into the workflow
// sandbox together (one watchdog thread an activation) instead of each call on its own.
const WORKFLOWS = fileURLToPath(new URL('./helpers/guard-workflows.ts', import.meta.url));
const bundle = () => bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: new DefaultLogger('WARN') });
// The SDK's option for the guard (5 s by default); not in WorkerOptions' public type, honoured at run time.
const timeout = (t: string) => ({ isolateExecutionTimeout: t }) as Partial<WorkerOptions>;
const id = (what: string) => `guard-${what}-${randomBytes(4).toString('hex')}`;

async function worker(env: TestWorkflowEnvironment, options: Partial<WorkerOptions> = {}) {
  const taskQueue = id('queue');
  const w = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundle(),
    activities: { noop: () => Promise.resolve() },
    ...options,
  });
  return { w, taskQueue };
}

/** The first failed workflow task's message, once the history has one. */
async function firstTaskFailure(env: TestWorkflowEnvironment, workflowId: string): Promise<string> {
  const handle = env.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 200; i++) {
    const { events } = await handle.fetchHistory();
    const failed = events?.find((e) => e.workflowTaskFailedEventAttributes);
    if (failed) return failed.workflowTaskFailedEventAttributes?.failure?.message ?? '';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${workflowId}: no failed workflow task`);
}

describe('the workflow sandbox guard (one execution timeout an activation)', () => {
  const temporal = suiteTemporal({ registerSearchAttributes: false });
  afterEach(() => vi.restoreAllMocks());

  it('still stops a workflow that never yields, and the worker goes on deciding others', async () => {
    const env = temporal();
    const { w, taskQueue } = await worker(env, timeout('1s'));
    await w.runUntil(async () => {
      for (const kind of ['sync', 'microtasks'] as const) {
        const workflowId = id(kind);
        const handle = await env.client.workflow.start<typeof spinForever>('spinForever', {
          taskQueue,
          workflowId,
          args: [kind],
        });
        expect(await firstTaskFailure(env, workflowId)).toMatch(/timed out after 1000ms/);
        await handle.terminate('test over');
      }
      // The sandbox's thread is free again: a normal workflow on the same worker completes.
      const done = await env.client.workflow.execute<typeof localRounds>('localRounds', {
        taskQueue,
        workflowId: id('after'),
        args: [2],
      });
      expect(done).toBe(2);
    });
  }, 120_000);

  it('times each activation once, not each call into the sandbox', async () => {
    const env = temporal();
    // debugMode runs the sandbox in this thread, where the calls can be counted.
    const calls = vi.spyOn(vm.Script.prototype, 'runInContext');
    const { w, taskQueue } = await worker(env, { debugMode: true, ...timeout('30s') });
    calls.mockClear(); // the sandbox's own set-up at Worker.create: two timed calls
    const rounds = 3;
    await w.runUntil(() =>
      env.client.workflow.execute<typeof localRounds>('localRounds', {
        taskQueue,
        workflowId: id('count'),
        args: [rounds],
      }),
    );
    const timed = calls.mock.calls.filter(([, options]) => typeof options?.timeout === 'number').length;
    const untimed = calls.mock.calls.length - timed;
    // One activation to start and one a round (each local activity's result); the calls it makes
    // (activate, conditions, conclude) go untimed inside it. Without the patch each of them is timed.
    const activations = rounds + 1;
    expect(untimed).toBeGreaterThanOrEqual(3 * activations);
    // + the run's initRuntime, + its dispose on eviction.
    expect(timed).toBeLessThanOrEqual(activations + 2);
  }, 120_000);
});
