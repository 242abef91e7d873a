import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { storesFromPool } from '../api/deps';
import { createApiMetrics } from '../api/metrics';
import { startApiServer, type ApiServer } from '../api/server';
import { createRecorders } from '../activities/record';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { startStack, type Stack } from '../cli/stack/stack';
import type { MetricsServer } from '../metrics/server';
import type { DecisionRecord } from '../core/records';
import { apiCaller } from './helpers/api';
import { metricsStackSetup, serveStackMetrics } from './helpers/metrics-stack';
import { MODELS_DIR } from './helpers/models';

// The embedded stack as `arbiter dev` runs it: one process, one /metrics with Arbiter's and the SDK's.
let dataDir: string;
let stack: Stack;
let metricsServer: MetricsServer;
let api: ApiServer;
let stores: ReturnType<typeof storesFromPool>;
let holdout: DemoCase[];
const run = Date.now().toString(36);

beforeAll(async () => {
  const setup = await metricsStackSetup('metrics-test');
  dataDir = setup.dataDir;
  const { metrics } = setup;
  stack = await startStack(setup.env, () => undefined, { metrics });
  metricsServer = await serveStackMetrics(setup);
  stores = storesFromPool(stack.pool, MODELS_DIR);
  const app = createApp({
    client: stack.client,
    pool: stack.pool,
    ...stores,
    apiKeys: null,
    metrics: createApiMetrics(metrics),
  });
  api = await startApiServer({ fetch: app.fetch, port: 0, host: '127.0.0.1' });
  holdout = await loadHoldout();
});

afterAll(async () => {
  await api?.close();
  await stores?.close();
  await metricsServer?.close();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The samples of one metric name whose labels include `labels`, summed. */
function sum(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`));
    if (has) total += Number(m[3]);
  }
  return total;
}

const toReview = {
  model: 'phishing-gb:champion',
  thresholds: { decline: 1, review: 0 },
  review: { timeoutMs: 60_000 },
};

describe('/metrics of the embedded stack', () => {
  it('counts each decision once, by way in, whoever asked how often; and serves the SDK metrics beside them', async () => {
    const [a, b, c] = holdout as [DemoCase, DemoCase, DemoCase];
    const byClient = await stack.client.decide({ caseId: `m-client-${run}`, input: a.input });
    // Asked again: the same decision (one workflow per case id), not a second count.
    await stack.client.decide({ caseId: `m-client-${run}`, input: a.input });
    const call = apiCaller(api.url);
    const byApi = await call<{ outcome: string }>('POST', '/v1/decisions', { caseId: `m-api-${run}`, input: b.input });
    expect(byApi.status).toBe(200);
    const review = await call<{ outcome: string }>('POST', '/v1/decisions', {
      caseId: `m-review-${run}`,
      input: c.input,
      ...toReview,
    });
    expect(review.body.outcome).toBe('review');
    const bad = await call('POST', '/v1/decisions', { caseId: `m-bad-${run}`, input: { ...a.input, https: 'yes' } });
    expect(bad.status).toBe(400);

    const text = await scrape();
    const decisions = (labels: Record<string, string>) => sum(text, 'arbiter_decisions_total', labels);
    expect(decisions({ via: 'client', outcome: byClient.outcome, pipeline: 'demo' })).toBe(1);
    expect(decisions({ via: 'api', outcome: byApi.body.outcome, pipeline: 'demo' })).toBe(1);
    expect(decisions({ via: 'api', outcome: 'review' })).toBe(1);
    expect(decisions({ via: 'api', outcome: 'rejected', pipeline: 'demo' })).toBe(1);
    expect(decisions({})).toBe(4);
    expect(sum(text, 'arbiter_decision_duration_seconds_count', { pipeline: 'demo', via: 'client' })).toBe(1);
    expect(sum(text, 'arbiter_model_calls_total', { result: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^arbiter_reviews_pending 1$/m);
    expect(text).toMatch(/^arbiter_circuit_state\{model="phishing-gb",version="\d+",state="closed"\} 1$/m);
    expect(text).toMatch(/^arbiter_batches\{status="running"\} 0$/m);
    expect(text).toContain('arbiter_http_requests_total{method="POST",route="/v1/decisions",status="200"}');
    // The SDK's own, from its exporter on loopback, appended to the same text.
    expect(text).toMatch(/^temporal_workflow_completed_total\{.*workflow_type="decisionWorkflow".*\} \d+$/m);
    // Every workflow task's, eager ones too (an eager start's first task is never scheduled on a queue).
    expect(text).toMatch(/^temporal_workflow_task_execution_latency_seconds_bucket\{/m);
  });

  it('does not count a decision again when its record activity is retried after the insert committed', async () => {
    const decided = await stack.client.decide({ caseId: `m-retry-${run}`, input: (holdout[3] as DemoCase).input });
    const stored = await stack.store.getDecision(decided.decisionId);
    expect(stored).toBeDefined();
    const before = sum(await scrape(), 'arbiter_decisions_total', {});
    // The same activity, the same record: what a retry after a lost completion does.
    const { recordDecision } = createRecorders(stack.store, { storeInput: true, metrics: stack.metrics });
    const record = { ...decided, input: (holdout[3] as DemoCase).input } as DecisionRecord;
    await recordDecision(record, [], undefined, 'client');
    expect(sum(await scrape(), 'arbiter_decisions_total', {})).toBe(before);
  });
});
