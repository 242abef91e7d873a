import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../config/env';
import { NO_STACK_TRACES_MODULE, preloadedModules } from '../workers/workflow-bundle';
import type { stackProbe } from './helpers/stack-probe-workflow';
import { suiteTemporal } from './helpers/suite-temporal';

const PROBE = fileURLToPath(new URL('./helpers/stack-probe-workflow.ts', import.meta.url));

/** Runs the probe on a worker whose bundle has the worker's preloads for `stackTraces`. */
async function probe(env: TestWorkflowEnvironment, stackTraces: boolean) {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: PROBE,
    preloadModules: preloadedModules(stackTraces),
    logger: new DefaultLogger('WARN'),
  });
  const taskQueue = `stacks-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof stackProbe>('stackProbe', {
      taskQueue,
      workflowId: `stacks-${randomBytes(4).toString('hex')}`,
    });
    // What the Temporal UI's Stack Trace tab asks for, while the workflow waits.
    const waiting = await handle.query<string>('__stack_trace');
    await handle.signal('releaseProbe');
    return { waiting, errorStack: await handle.result() };
  });
}

describe('workflow stack traces (ARBITER_WORKFLOW_STACK_TRACES)', () => {
  const temporal = suiteTemporal({ registerSearchAttributes: false });

  it('are off by default: the worker preloads the module that sets the limit to 0', () => {
    expect(loadEnv({}).ARBITER_WORKFLOW_STACK_TRACES).toBe(false);
    expect(loadEnv({ ARBITER_WORKFLOW_STACK_TRACES: 'true' }).ARBITER_WORKFLOW_STACK_TRACES).toBe(true);
    expect(preloadedModules(false)).toContain(NO_STACK_TRACES_MODULE);
    expect(preloadedModules(true)).not.toContain(NO_STACK_TRACES_MODULE);
  });

  it('off: the query and errors in workflow code carry no frames', async () => {
    const { waiting, errorStack } = await probe(temporal(), false);
    expect(waiting).not.toMatch(/\bat\b/);
    expect(errorStack.trim()).toBe('Error: probe');
  }, 120_000);

  it('on: the query shows where the workflow waits, and errors have their frames', async () => {
    const { waiting, errorStack } = await probe(temporal(), true);
    expect(waiting).toMatch(/stackProbe/);
    expect(errorStack).toMatch(/^Error: probe\n\s+at .*stackProbe/);
  }, 120_000);
});
