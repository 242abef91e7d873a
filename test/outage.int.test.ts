import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterClient } from '../client';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { loadEnv } from '../config/env';
import { openPool } from '../stores/db';
import { OUTAGE_PATCH } from '../workflows/outage';
import { patchInForce, patchMarked } from './replay/paths';
import { startOrchestratorRuntime, type OrchestratorRuntime } from '../workers/orchestrator-runtime';
import { registerModel } from '../admin/registration';
import { PipelinesAdmin } from '../admin/pipelines';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { serviceModel, startScoringService, type ScoringService } from './helpers/scoring-service';
import { startTcpProxy, throughProxy, type TcpProxy } from './helpers/tcp-proxy';
import { bundleWorkflows, createTestTemporal } from './helpers/temporal';

// A real PostgreSQL outage between the worker and its database: a TCP proxy the test cuts and
// restores. Two workers on two task queues share the proxied pool: one waits up to 60 s, one 3 s.
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: TestDatabase;
let proxy: TcpProxy;
let pool: Pool;
let holdout: DemoCase[];
let service: ScoringService;
/** Between the workers and the model server: cut to take the model server away. */
let modelProxy: TcpProxy;
const runtimes: OrchestratorRuntime[] = [];
const patientQueue = `outage-patient-${randomBytes(4).toString('hex')}`;
const impatientQueue = `outage-impatient-${randomBytes(4).toString('hex')}`;
const uniq = (id: string) => `${id}-${randomBytes(3).toString('hex')}`;
const MODEL = 'phishing-gb:champion';

async function startWorker(taskQueue: string, tolerance: string, seedDemo: boolean) {
  const runtime = await startOrchestratorRuntime({
    connection: env.nativeConnection,
    namespace: 'default',
    pool,
    env: loadEnv({
      ...process.env,
      ARBITER_TASK_QUEUE: taskQueue,
      ARBITER_OUTAGE_TOLERANCE: tolerance,
      ARBITER_VECTOR_STORE: 'none',
      REDIS_URL: '',
    }),
    seedDemo,
    workflowBundle: bundle,
  });
  runtimes.push(runtime);
}

beforeAll(async () => {
  [env, bundle, db, holdout] = await Promise.all([
    createTestTemporal(),
    bundleWorkflows(),
    createTestDatabase(),
    loadHoldout(),
  ]);
  const target = new URL(db.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  pool = await openPool(throughProxy(db.url, proxy), { connectionTimeoutMillis: 2000, schema: db.schema });
  await startWorker(patientQueue, '60s', true);
  await startWorker(impatientQueue, '3s', false);
  service = await startScoringService();
  const served = new URL(service.url);
  modelProxy = await startTcpProxy({ host: served.hostname, port: Number(served.port) });
  const { registry, runtime, pipelines } = (runtimes[0] as OrchestratorRuntime).models;
  const model = {
    ...serviceModel(service, 'remote-scorer', '/score/0.8/0'),
    uri: `http://127.0.0.1:${modelProxy.port}`,
  };
  await registerModel(registry, runtime, model, { aliases: ['champion'] });
  // No budget, no fallback, no default: before the wait, any model failure failed the decision.
  await new PipelinesAdmin(pipelines, registry).apply({
    name: 'one-remote-scorer',
    steps: [{ id: 'scorer', type: 'model', model: 'remote-scorer:champion', retry: { maximumAttempts: 1 } }],
    output: 'scorer',
  });
});

afterAll(async () => {
  for (const r of runtimes) await r.stop();
  await pool?.end();
  await proxy?.close();
  await modelProxy?.close();
  await service?.close();
  await db?.close();
  await env?.teardown();
});

/** What the workflow's current details say (the UI shows them under the workflow's name). */
async function detailsOf(client: ArbiterClient, decisionId: string): Promise<string> {
  const meta = await client.temporal.workflow
    .getHandle(decisionId)
    .query<{ currentDetails?: string | null }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
}

describe('a PostgreSQL outage shorter than ARBITER_OUTAGE_TOLERANCE', () => {
  it('is waited out: every decision started during a 9 s outage is decided and recorded once', async () => {
    const client = new ArbiterClient(env.client, { taskQueue: patientQueue });
    const cases = holdout.slice(0, 12).map((c) => ({ caseId: uniq('outage'), input: c.input }));
    // Some decisions are under way when the database goes (pinning, scoring, recording) ...
    const early = cases.slice(0, 6).map((c) => client.decide(c, { model: MODEL }));
    await new Promise((r) => setTimeout(r, 30));
    await proxy.cut();
    const cutAt = Date.now();
    // ... the rest start while it is gone.
    const late = cases.slice(6).map((c) => client.decide(c, { model: MODEL }));
    await new Promise((r) => setTimeout(r, 5_000));
    const waiting = await detailsOf(client, `decision-${cases[8]?.caseId}`);
    expect(waiting).toMatch(/^waiting for PostgreSQL \(loadPipeline attempt \d+\): /);
    await new Promise((r) => setTimeout(r, Math.max(0, 9_000 - (Date.now() - cutAt))));
    await proxy.restore();

    const results = await Promise.all([...early, ...late]);
    expect(results.map((r) => r.caseId)).toEqual(cases.map((c) => c.caseId));
    const rows = await db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM decisions WHERE decision_id = ANY($1::text[])',
      [results.map((r) => r.decisionId)],
    );
    expect(Number(rows.rows[0]?.n)).toBe(cases.length);
    // Once it is over, the details show the decision again, not the wait.
    const waited = results[8]?.decisionId ?? '';
    expect(await detailsOf(client, waited)).toMatch(/^\*\*(approve|decline|review)\*\*/);
    // The wait is in the history (backoff timers; the decision's one patch marker, under which the
    // outage patch is in force without a marker of its own) and replays as it ran.
    const history = await env.client.workflow.getHandle(waited).fetchHistory();
    const events = history.events ?? [];
    expect(events.some((e) => e.timerStartedEventAttributes)).toBe(true);
    expect(patchInForce(history, OUTAGE_PATCH)).toBe(true);
    expect(patchMarked(history, OUTAGE_PATCH)).toBe(false);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, waited)).resolves.toBeUndefined();
  });
});

describe('an outage longer than ARBITER_OUTAGE_TOLERANCE', () => {
  it('fails the decision with a non-retryable Store.OutageExceeded naming the tolerance', async () => {
    const client = new ArbiterClient(env.client, { taskQueue: impatientQueue });
    await proxy.cut();
    try {
      const started = Date.now();
      const caseId = uniq('outage-long');
      const err = await client.decide({ caseId, input: holdout[0]?.input ?? {} }, { model: MODEL }).then(
        () => undefined,
        (e: unknown) => e as Error & { failureType?: string },
      );
      expect(err?.failureType).toBe('Store.OutageExceeded');
      expect(err?.message).toMatch(/PostgreSQL unreachable for longer than ARBITER_OUTAGE_TOLERANCE \(3000 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
      expect(Date.now() - started).toBeLessThan(20_000);
      const status = await client.getDecision(`decision-${caseId}`);
      expect(status).toMatchObject({ status: 'failed', type: 'Store.OutageExceeded' });
    } finally {
      await proxy.restore();
    }
  });
});

describe('a model server outage shorter than ARBITER_OUTAGE_TOLERANCE', () => {
  it('is waited out: the pipeline runs again until the server answers, and the audit keeps every try', async () => {
    const client = new ArbiterClient(env.client, { taskQueue: patientQueue });
    await modelProxy.cut();
    const caseId = uniq('model-outage');
    const pending = client.decide(
      { caseId, input: { url: 'https://example.test' } },
      { pipeline: 'one-remote-scorer' },
    );
    await new Promise((r) => setTimeout(r, 4_000));
    const waiting = await detailsOf(client, `decision-${caseId}`);
    expect(waiting).toMatch(
      /^waiting for model server remote-scorer@1 \(pipeline one-remote-scorer@1 attempt \d+\): .*remote-scorer@1/,
    );
    await modelProxy.restore();

    const decision = await pending;
    expect(decision.score).toBeCloseTo(0.8);
    expect(decision.degraded).toBe(false);
    const statuses = decision.models.map((m) => m.status);
    expect(statuses.at(-1)).toBe('ok');
    expect(statuses.slice(0, -1).length).toBeGreaterThan(0);
    expect(statuses.slice(0, -1).every((s) => s === 'failed')).toBe(true);
    expect(decision.reasons.some((r) => /^waited \d+ ms for unreachable model servers$/.test(r))).toBe(true);
    // Every try is in the log under its own call id.
    const calls = await db.pool.query<{ n: string }>(
      'SELECT count(DISTINCT call_id) AS n FROM model_calls WHERE decision_id = $1',
      [decision.decisionId],
    );
    expect(Number(calls.rows[0]?.n)).toBe(statuses.length);
  });

  it('past the tolerance fails the decision with a non-retryable Model.OutageExceeded', async () => {
    const client = new ArbiterClient(env.client, { taskQueue: impatientQueue });
    await modelProxy.cut();
    try {
      const started = Date.now();
      const err = await client
        .decide(
          { caseId: uniq('model-outage-long'), input: { url: 'https://example.test' } },
          { pipeline: 'one-remote-scorer' },
        )
        .then(
          () => undefined,
          (e: unknown) => e as Error & { failureType?: string },
        );
      expect(err?.failureType).toBe('Model.OutageExceeded');
      expect(err?.message).toMatch(
        /model server remote-scorer@1 unreachable for longer than ARBITER_OUTAGE_TOLERANCE \(3000 ms/,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    } finally {
      await modelProxy.restore();
    }
  });
});
