import { Writable } from 'node:stream';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { Failure } from '../../core/failures';
import { createLogger } from '../../telemetry/log';
import { PinoSdkLogger } from '../../telemetry/sdk-logger';
import { tracesExporterOf } from '../../telemetry/tracing';

/** A logger writing JSON lines into `lines`, parsed. */
function capture(level: 'info' | 'debug' | 'warn' = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ name: 'test', level, destination }), lines };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('one JSON log', () => {
  it('prints a failed workflow’s error with its type, message and whole cause chain (not {})', async () => {
    const root = ApplicationFailure.create({
      type: Failure.Model.RateLimited,
      message: 'model fraud-xgb@3: HTTP 429',
      cause: new Error('socket said 429'),
    });
    const activity = new ActivityFailure(
      'activity failed',
      'callModel',
      '7',
      RetryState.MAXIMUM_ATTEMPTS_REACHED,
      'w',
      root,
    );
    const failed = new WorkflowFailedError('Workflow execution failed', activity, RetryState.NON_RETRYABLE_FAILURE);
    const { log, lines } = capture();
    log.warn({ error: failed }, 'Workflow failed');
    log.error({ err: root }, 'also under err');
    await settle();
    expect(lines[0]?.error).toMatchObject({
      type: 'WorkflowFailedError',
      message: 'Workflow execution failed',
      cause: {
        type: 'ActivityFailure',
        activityType: 'callModel',
        cause: {
          type: 'ApplicationFailure',
          failureType: 'Model.RateLimited',
          message: 'model fraud-xgb@3: HTTP 429',
          nonRetryable: false,
          cause: { type: 'Error', message: 'socket said 429' },
        },
      },
    });
    expect((lines[0]?.error as { stack?: string }).stack).toContain('WorkflowFailedError');
    expect(lines[1]?.err).toMatchObject({ failureType: 'Model.RateLimited', cause: { message: 'socket said 429' } });
  });

  it('writes the SDK’s lines as JSON, a decision’s with its decision id, at the logger’s level', async () => {
    const { log, lines } = capture('info');
    const sdk = new PinoSdkLogger(log);
    const meta = { sdkComponent: 'workflow', workflowId: 'decision-c1', runId: 'r', workflowType: 'decisionWorkflow' };
    sdk.info('Workflow completed', meta);
    sdk.warn('Activity failed', { ...meta, workflowId: 'batch-1', workflowType: 'batchWorkflow' });
    sdk.debug('not at info', meta);
    sdk.info('No workflows registered, not polling for workflow tasks');
    await settle();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'Workflow completed',
      workflowId: 'decision-c1',
      decisionId: 'decision-c1',
    });
    expect(lines[1]).toMatchObject({ level: 40, msg: 'Activity failed', workflowId: 'batch-1' });
    expect(lines[1]).not.toHaveProperty('decisionId');
  });
});

describe('tracing switch (OTEL_*)', () => {
  it.each([
    [{}, undefined],
    [{ OTEL_SERVICE_NAME: 'x' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'otlp'],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, 'otlp'],
    [{ OTEL_TRACES_EXPORTER: 'console' }, 'console'],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, undefined],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, undefined],
  ])('%j → %s', (env, expected) => {
    expect(tracesExporterOf(env)).toBe(expected);
  });
});
