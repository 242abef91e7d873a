import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { storesFromPool } from '../api/deps';
import { startApiServer, type ApiServer } from '../api/server';
import { ArbiterClient, tracingInterceptors } from '../client';
import { loadEnv } from '../config/env';
import { createLogger } from '../telemetry/log';
import { DECISION_ID_ATTR } from '../telemetry/spans';
import { startTracing, type Tracing } from '../telemetry/tracing';
import { PRELOADED_MODULES, WORKFLOWS_PATH } from '../workers/workflow-bundle';
import { startOrchestratorRuntime, type OrchestratorRuntime } from '../workers/orchestrator-runtime';
import { apiCaller, pollUntil } from './helpers/api';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createTestTemporal } from './helpers/temporal';

// One decision through the API with tracing on (an in-memory exporter): its spans must form one
// tree, request → workflow → each model call → the audit write, each naming the decision.
const exporter = new InMemorySpanExporter();
const logged: Record<string, unknown>[] = [];
const seen: IncomingHttpHeaders[] = [];
let tracing: Tracing | undefined;
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let runtime: OrchestratorRuntime;
let stores: ReturnType<typeof storesFromPool>;
let server: ApiServer;
let model: Server;
let call: ReturnType<typeof apiCaller>;

/** A model server answering `{ score }` and keeping each request's headers. */
async function startModelServer(): Promise<string> {
  model = createServer((req, res) => {
    seen.push(req.headers);
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"score":0.2}'));
  });
  await new Promise<void>((r) => model.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  tracing = await startTracing({ serviceName: 'arbiter-test', exporter });
  const interceptorModule = createRequire(import.meta.url).resolve(
    '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
  );
  const [temporal, database, workflowBundle, modelUrl] = await Promise.all([
    createTestTemporal(),
    createTestDatabase(),
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      preloadModules: PRELOADED_MODULES,
      workflowInterceptorModules: [interceptorModule],
      logger: new DefaultLogger('WARN'),
    }),
    startModelServer(),
  ]);
  [env, db] = [temporal, database];
  const taskQueue = `trace-${randomBytes(4).toString('hex')}`;
  const lines = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        logged.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({ name: 'trace-test', level: 'info', destination: lines });
  runtime = await startOrchestratorRuntime({
    connection: env.nativeConnection,
    namespace: 'default',
    pool: db.pool,
    env: loadEnv({ ...process.env, ARBITER_TASK_QUEUE: taskQueue, REDIS_URL: '' }),
    seedDemo: true,
    workflowBundle,
    logger: log,
  });
  const temporalClient = new Client({ connection: env.connection, interceptors: tracingInterceptors() });
  const client = new ArbiterClient(temporalClient, { taskQueue });
  stores = storesFromPool(db.pool, loadEnv().ARBITER_MODELS_DIR);
  const app = createApp({ client, pool: db.pool, ...stores, apiKeys: null, log });
  server = await startApiServer({ fetch: app.fetch, port: 0 });
  call = apiCaller(server.url);
  const spec = {
    name: 'trace-http',
    kind: 'http-json',
    uri: modelUrl,
    config: { path: '/score', probeInput: {} },
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] },
    aliases: ['champion'],
  };
  expect((await call('POST', '/v1/models', spec)).status).toBe(201);
});

afterAll(async () => {
  await server?.close();
  await stores?.close();
  await runtime?.stop();
  await db?.close();
  await env?.teardown();
  await new Promise((r) => model?.close(r));
  await tracing?.shutdown();
});

const parentOf = (s: ReadableSpan) => s.parentSpanId;

/** Whether `span` sits (at any depth) under `ancestor`. */
function under(span: ReadableSpan, ancestor: ReadableSpan, all: ReadableSpan[]): boolean {
  const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
  for (let p = byId.get(parentOf(span) ?? ''); p; p = byId.get(parentOf(p) ?? '')) if (p === ancestor) return true;
  return false;
}

describe('a decision’s trace', () => {
  it('is one tree: request → workflow → model call → audit write, each with the decision id', async () => {
    const caseId = `traced-${randomBytes(3).toString('hex')}`;
    const decisionId = `decision-${caseId}`;
    exporter.reset();
    const body = {
      caseId,
      input: { text: 'hello' },
      model: 'trace-http:champion',
      thresholds: { decline: 0.9, review: 0.5 },
    };
    const res = await call('POST', '/v1/decisions', body, { headers: { 'x-request-id': 'trace-req-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-req-1');
    // The workflow records after it answers: wait for the audit write's span.
    const spans = await pollUntil(
      () => Promise.resolve(exporter.getFinishedSpans()),
      (all) => all.some((s) => s.name === 'audit write' && s.attributes[DECISION_ID_ATTR] === decisionId),
    );
    const named = (re: RegExp) => spans.filter((s) => re.test(s.name));
    const [request] = named(/^POST \/v1\/decisions$/);
    const [workflow] = named(/^RunWorkflow:decisionWorkflow$/);
    const models = named(/^model trace-http@1$/);
    const [audit] = named(/^audit write$/);
    expect(request?.attributes).toMatchObject({ [DECISION_ID_ATTR]: decisionId, 'arbiter.request_id': 'trace-req-1' });
    expect(workflow && request && under(workflow, request, spans), 'workflow under the request').toBe(true);
    expect(models).toHaveLength(1);
    for (const m of models) {
      expect(m.attributes[DECISION_ID_ATTR]).toBe(decisionId);
      expect(workflow && under(m, workflow, spans), 'model call under the workflow').toBe(true);
    }
    expect(audit && workflow && under(audit, workflow, spans), 'audit write under the workflow').toBe(true);
    expect(new Set(spans.filter((s) => under(s, request!, spans)).map((s) => s.spanContext().traceId))).toEqual(
      new Set([request!.spanContext().traceId]),
    );
    // The model server was told which trace (and which model-call span) it serves.
    const model = models[0]!;
    const traceparent = `00-${model.spanContext().traceId}-`;
    expect(seen.some((h) => String(h.traceparent).startsWith(traceparent))).toBe(true);
  });

  it('logs the decision with its decision id, and the request with its request id', () => {
    const recorded = logged.filter((l) => l.msg === 'decision recorded');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.decisionId).toMatch(/^decision-traced-/);
    const access = logged.filter((l) => l.msg === 'request' && l.path === '/v1/decisions');
    expect(access).toEqual([
      expect.objectContaining({ requestId: 'trace-req-1', decisionId: recorded[0]?.decisionId, status: 200 }),
    ]);
  });
});
