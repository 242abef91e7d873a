import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { storesFromPool } from '../api/deps';
import { createApiMetrics } from '../api/metrics';
import { createArbiterMetrics } from '../metrics/arbiter-metrics';
import type { Problem } from '../api/problems';
import { startApiServer, type ApiServer } from '../api/server';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { apiCaller, pollUntil } from './helpers/api';
import { BAD_CASES, expectNoWorkflow } from './helpers/bad-cases';
import { MODELS_DIR } from './helpers/models';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';
import { serviceModel, startScoringService, type ScoringService } from './helpers/scoring-service';

import type { ApiKey } from '../config/api-keys';

const KEY = 'test-key';
const metrics = createArbiterMetrics();
const REVIEW_KEY = 'review-key-0123456789';
// `ana` may do everything; `rita` reviews (and reads, to see what she reviews); `second` only reads.
const KEYS: ApiKey[] = [
  { name: 'ana', roles: ['admin'], secret: KEY },
  { name: 'rita', roles: ['review', 'read'], secret: REVIEW_KEY },
  { name: 'second', roles: ['read'], secret: 'second-key' },
];
let suite: TestOrchestrator;
let stores: ReturnType<typeof storesFromPool>;
let server: ApiServer;
let service: ScoringService;
let holdout: DemoCase[];
let call: ReturnType<typeof apiCaller>;

const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const high = () => holdout.find((h) => h.sklearnScore > 0.95) as DemoCase;
// One model with a review band from 0: every case waits for a person (for a minute, not 24 h).
const toReview = {
  model: 'phishing-gb:champion',
  thresholds: { decline: 1, review: 0 },
  review: { timeoutMs: 60_000 },
};
const paths = (p: Problem) => (p.errors ?? []).map((e) => e.path);

beforeAll(async () => {
  [suite, holdout, service] = await Promise.all([
    startTestOrchestrator('api', { metrics }),
    loadHoldout(),
    startScoringService(),
  ]);
  stores = storesFromPool(suite.db.pool, MODELS_DIR);
  const app = createApp({
    client: suite.client,
    pool: suite.db.pool,
    ...stores,
    apiKeys: KEYS,
    // The default: the 0.7 MiB case below must reach the case limits, not the body limit.
    bodyLimit: 1024 * 1024,
    metrics: createApiMetrics(metrics),
  });
  server = await startApiServer({ fetch: app.fetch, port: 0, host: '127.0.0.1' });
  call = apiCaller(server.url, KEY);
});

afterAll(async () => {
  await server?.close();
  await stores?.close();
  await service?.close();
  await suite?.stop();
});

describe('HTTP API: the edges', () => {
  it('asks for a bearer key everywhere but /healthz and /openapi.json', async () => {
    const cases: [string, string | undefined, number][] = [
      ['/v1/models', undefined, 401],
      ['/v1/models', 'wrong-key', 401],
      ['/v1/models', 'test-ke', 401],
      ['/metrics', undefined, 401],
      ['/v1/models', 'second-key', 200],
      ['/healthz', undefined, 200],
      ['/openapi.json', undefined, 200],
    ];
    for (const [path, key, status] of cases) {
      const res = await call<Problem>('GET', path, undefined, { key });
      expect(res.status, `${path} with ${key}`).toBe(status);
      if (status === 401) {
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.body).toMatchObject({
          status: 401,
          title: 'Unauthorized',
          type: 'urn:arbiter:problem:unauthorized',
        });
      }
    }
    const health = await call('GET', '/healthz', undefined, { key: undefined });
    expect(health.body).toMatchObject({ status: 'ok', checks: { database: { ok: true }, temporal: { ok: true } } });
  });

  it('answers bad requests with problems naming each field', async () => {
    const input = high().input;
    const cases: [string, { raw?: string; body?: unknown }, number, string[]][] = [
      ['malformed JSON', { raw: '{"caseId": "x", "input": {' }, 400, ['(root)']],
      ['no input', { body: { caseId: 'x' } }, 400, ['input']],
      ['input not an object', { body: { caseId: 'x', input: 'https' } }, 400, ['input']],
      ['bad threshold', { body: { caseId: 'x', input, thresholds: { decline: 2 } } }, 400, ['thresholds.decline']],
      ['unknown field', { body: { caseId: 'x', input, treshold: 1 } }, 400, ['treshold']],
      ['bad case id', { body: { caseId: '../x', input } }, 400, ['caseId']],
    ];
    for (const [name, { raw, body }, status, fields] of cases) {
      const res = await call<Problem>('POST', '/v1/decisions', body, { raw });
      expect(res.status, name).toBe(status);
      expect(res.headers.get('content-type'), name).toBe('application/problem+json');
      expect(paths(res.body), name).toEqual(fields);
      expect(res.body.detail, name).toContain(fields[0]);
    }
    const wait = await call<Problem>('POST', '/v1/decisions?wait=maybe', { caseId: 'x', input });
    expect(paths(wait.body)).toEqual(['wait']);
  });

  it('refuses an oversized body with 413 and an unknown route with 404, both as problems', async () => {
    const big = await call<Problem>('POST', '/v1/decisions', { caseId: 'big', input: { blob: 'x'.repeat(1_100_000) } });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ status: 413, title: 'Payload too large' });
    const nowhere = await call<Problem>('GET', '/v1/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers.get('content-type')).toBe('application/problem+json');
  });

  it('serves an OpenAPI 3.1 document with every path and the decision request schema', async () => {
    type Doc = {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>
      >;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    };
    const { body: doc } = await call<Doc>('GET', '/openapi.json', undefined, { key: undefined });
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'Arbiter', version: '0.1.0' });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/decisions',
        '/v1/decisions/{id}',
        '/v1/decisions/{id}/review',
        '/v1/decisions/{id}/feedback',
        '/v1/decisions/feedback',
        '/v1/models',
        '/v1/models/{name}/aliases',
        '/v1/models/{ref}/infer',
        '/v1/pipelines',
        '/v1/pipelines/{name}/run',
        '/healthz',
        '/metrics',
      ]),
    );
    const ref = doc.paths['/v1/decisions']?.post?.requestBody?.content['application/json']?.schema.$ref ?? '';
    const request = doc.components.schemas[ref.split('/').at(-1) ?? ''];
    expect(Object.keys(request?.properties ?? {})).toEqual(expect.arrayContaining(['caseId', 'input', 'thresholds']));
    expect(request?.required).toEqual(['caseId', 'input']);
  });
});

describe('HTTP API: decisions', () => {
  it('decides and answers with the same view as `arbiter decide --json`', async () => {
    const c = high();
    const res = await call('POST', '/v1/decisions', {
      caseId: uniq(c.caseId),
      input: c.input,
      model: 'phishing-gb:champion',
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(
      expect.arrayContaining(['id', 'outcome', 'score', 'reasons', 'models', 'similar', 'degraded', 'latencyMs']),
    );
    expect(res.body).toMatchObject({ outcome: 'decline', degraded: false, pipeline: { name: 'adhoc' } });
    expect(res.body.score).toBeCloseTo(c.sklearnScore, 5);
  });

  it('names the bad feature of an invalid case, and lists what exists for an unknown pipeline or model', async () => {
    const c = high();
    const invalid = await call<Problem>('POST', '/v1/decisions', {
      caseId: uniq('bad'),
      input: { ...c.input, https: 'yes' },
      model: 'phishing-gb:champion',
    });
    expect(invalid.status).toBe(400);
    expect(paths(invalid.body)).toContain('input.https');
    for (const how of [{ pipeline: 'no-such-pipeline' }, { model: 'no-such-model:champion' }]) {
      const res = await call<Problem>('POST', '/v1/decisions', { caseId: uniq('nf'), input: c.input, ...how });
      expect(res.status, JSON.stringify(how)).toBe(404);
      expect(res.body.available, JSON.stringify(how)).toContain(how.pipeline ? 'demo' : 'phishing-gb');
    }
  });

  it('starts a decision with wait=false (202 + Location), and GET shows it decided with its audit row', async () => {
    const c = high();
    const caseId = uniq(c.caseId);
    const started = await call('POST', '/v1/decisions?wait=false', { caseId, input: c.input, pipeline: 'demo' });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ decisionId: `decision-${caseId}`, started: true });
    const location = started.headers.get('location') ?? '';
    expect(location).toBe(`/v1/decisions/decision-${caseId}`);
    const status = await pollUntil(
      () =>
        call<{ status: string; decision?: Record<string, unknown>; audit?: Record<string, unknown> }>('GET', location),
      (r) => r.body.status === 'decided' && r.body.audit !== undefined,
    );
    expect(status.status).toBe(200);
    expect(status.body.decision).toMatchObject({ id: `decision-${caseId}`, pipeline: { name: 'demo' } });
    expect(status.body.audit).toMatchObject({ decisionId: `decision-${caseId}`, input: c.input });
    expect((await call<Problem>('GET', '/v1/decisions/decision-nobody')).status).toBe(404);
  });

  it('answers 202 with the decision id and a Location once its own wait runs out; the decision goes on', async () => {
    // An API that waits 1 ms: no decision answers that fast, as none does while a store is down.
    const impatient = createApp({
      client: suite.client,
      pool: suite.db.pool,
      ...stores,
      apiKeys: KEYS,
      decideWaitMs: 1,
    });
    const c = high();
    const caseId = uniq('slow');
    const res = await impatient.request('/v1/decisions', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ caseId, input: c.input, model: 'phishing-gb:champion' }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ decisionId: `decision-${caseId}`, started: true });
    expect(res.headers.get('location')).toBe(`/v1/decisions/decision-${caseId}`);
    const status = await pollUntil(
      () => call<{ status: string }>('GET', `/v1/decisions/decision-${caseId}`),
      (r) => r.body.status === 'decided',
    );
    expect(status.body.status).toBe('decided');
  });

  it('takes a review once (200), then refuses another (409)', async () => {
    const c = high();
    const decided = await call('POST', '/v1/decisions', { caseId: uniq('rev'), input: c.input, ...toReview });
    expect(decided.body).toMatchObject({ outcome: 'review', review: { state: 'pending' } });
    const path = `/v1/decisions/${String(decided.body.id)}/review`;
    // The key's own name may be repeated; anyone else's is refused before the review is sent.
    const first = await call('POST', path, { action: 'approve', reviewer: 'ana', note: 'known site' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'approved', finalOutcome: 'approve', reviewer: 'ana' });
    const impostor = await call<Problem>('POST', path, { action: 'decline', reviewer: 'bo' });
    expect([impostor.status, impostor.body.type]).toEqual([403, 'urn:arbiter:problem:forbidden']);
    expect(impostor.body.detail).toMatch(/key 'ana' cannot record reviewer 'bo'/);
    const second = await call<Problem>('POST', path, { action: 'decline' });
    expect(second.status).toBe(409);
    expect(second.body.detail).toMatch(/not waiting for review/);
    const badAction = await call<Problem>('POST', path, { action: 'maybe', reviewer: 'bo' });
    expect(paths(badAction.body)).toEqual(['action']);
  });

  it('lists a waiting decision in GET /v1/reviews with its clock, and drops it once reviewed', async () => {
    const decided = await call('POST', '/v1/decisions', { caseId: uniq('queue'), input: high().input, ...toReview });
    const id = String(decided.body.id);
    type Queue = { reviews: { decisionId: string; timeLeftMs?: number; onTimeout?: string; topReasons: string[] }[] };
    // The log's row is written by the workflow, a moment after the answer.
    const listed = await pollUntil(
      () => call<Queue>('GET', '/v1/reviews?limit=200', undefined, { key: REVIEW_KEY }),
      (r) => r.body.reviews.some((x) => x.decisionId === id),
    );
    const mine = listed.body.reviews.find((x) => x.decisionId === id);
    expect(mine).toMatchObject({ onTimeout: 'review', topReasons: decided.body.reasons });
    expect(mine?.timeLeftMs).toBeGreaterThan(0);
    expect(mine?.timeLeftMs).toBeLessThanOrEqual(60_000);
    await call('POST', `/v1/decisions/${id}/review`, { action: 'approve', note: 'fine' }, { key: REVIEW_KEY });
    const after = await call<Queue>('GET', '/v1/reviews?limit=200', undefined, { key: REVIEW_KEY });
    expect(after.body.reviews.map((x) => x.decisionId)).not.toContain(id);
    const approved = await call<{ decisions: { decisionId: string }[] }>(
      'GET',
      '/v1/decisions?review=approved&limit=200',
    );
    expect(approved.body.decisions.map((d) => d.decisionId)).toContain(id);
    const again = await call<Problem>('POST', `/v1/decisions/${id}/review`, { action: 'decline' }, { key: REVIEW_KEY });
    expect([again.status, again.body.detail]).toEqual([
      409,
      expect.stringMatching(/already reviewed: approved by rita/),
    ]);
  });

  it("records the reviewer from the key, and the review in the decision log under the key's name", async () => {
    const decided = await call('POST', '/v1/decisions', { caseId: uniq('rita'), input: high().input, ...toReview });
    const id = String(decided.body.id);
    const reviewed = await call('POST', `/v1/decisions/${id}/review`, { action: 'decline' }, { key: REVIEW_KEY });
    expect(reviewed).toMatchObject({ status: 200, body: { state: 'declined', reviewer: 'rita' } });
    const status = await pollUntil(
      () =>
        call<{ audit?: { review?: { reviewer?: string } } }>('GET', `/v1/decisions/${id}`, undefined, {
          key: REVIEW_KEY,
        }),
      (r) => r.body.audit?.review?.reviewer !== undefined,
    );
    expect(status.body.audit?.review?.reviewer).toBe('rita');
    // `rita` may review and read, not decide or administer.
    const denied = await call<Problem>(
      'POST',
      '/v1/models/phishing-gb/aliases',
      { alias: 'x', version: '1' },
      { key: REVIEW_KEY },
    );
    expect([denied.status, denied.body.detail]).toEqual([
      403,
      expect.stringMatching(/needs the 'admin' role.*key 'rita'/),
    ]);
  });

  it('records feedback (200), and answers 404 for a decision it does not know', async () => {
    const c = high();
    const decided = await call('POST', '/v1/decisions', { caseId: uniq('fb'), input: c.input, model: 'phishing-gb' });
    const id = String(decided.body.id);
    const receipt = await call('POST', `/v1/decisions/${id}/feedback`, { label: 'fraud', source: 'chargeback' });
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({ decisionId: id, label: 'fraud', changed: true });
    const unknown = await call<Problem>('POST', '/v1/decisions/decision-nobody/feedback', { label: 'legit' });
    expect(unknown.status).toBe(404);
    const badLabel = await call<Problem>('POST', `/v1/decisions/${id}/feedback`, { label: 'maybe' });
    expect(paths(badLabel.body)).toEqual(['label']);
  });

  it('records bulk feedback (200), each bad row reported by index, id and why; the same body again changes nothing', async () => {
    const caseId = uniq('bulk');
    const decided = await call('POST', '/v1/decisions', { caseId, input: high().input, model: 'phishing-gb' });
    const id = String(decided.body.id);
    const body = {
      feedback: [
        { decisionId: id, label: 'fraud', source: 'chargeback' },
        { caseId, label: 'fraud', note: 'by case id' },
        { decisionId: 'decision-nobody', label: 'legit' },
        { decisionId: id, label: 'maybe' },
      ],
    };
    interface Report {
      applied: number;
      unchanged: number;
      failed: number;
      rows: { row: number; status: string; id?: string; type?: string }[];
    }
    const first = await call<Report>('POST', '/v1/decisions/feedback', body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ applied: 2, unchanged: 0, failed: 2 });
    expect(first.body.rows.slice(2)).toEqual([
      expect.objectContaining({ row: 2, status: 'failed', id: 'decision-nobody', type: 'Feedback.DecisionNotFound' }),
      expect.objectContaining({ row: 3, status: 'failed', id, type: 'Feedback.Invalid' }),
    ]);
    const again = await call<Report>('POST', '/v1/decisions/feedback', body);
    expect(again.body).toMatchObject({ applied: 0, unchanged: 2, failed: 2 });
    const status = await call<{ audit: { feedback: { label: string; note?: string; actor?: string }[] } }>(
      'GET',
      `/v1/decisions/${id}`,
    );
    // Each row recorded with the key that sent it.
    expect(status.body.audit.feedback.map((f) => [f.label, f.note, f.actor])).toEqual([
      ['fraud', undefined, 'ana'],
      ['fraud', 'by case id', 'ana'],
    ]);
    // Not an array, or too many rows: the whole body is refused, naming the field.
    const notArray = await call<Problem>('POST', '/v1/decisions/feedback', { feedback: { decisionId: id } });
    expect([notArray.status, paths(notArray.body)]).toEqual([400, ['feedback']]);
    const tooMany = { feedback: Array.from({ length: 1001 }, () => ({ decisionId: id, label: 'fraud' })) };
    expect((await call<Problem>('POST', '/v1/decisions/feedback', tooMany)).status).toBe(400);
  });
});

describe('HTTP API: bad input refused at the edge', () => {
  it.each(BAD_CASES)('$name: a 400 naming the rule and the path, and no workflow', async ({ json, rule, path }) => {
    for (const wait of ['true', 'false']) {
      const caseId = uniq('edge');
      const res = await call<Problem>('POST', `/v1/decisions?wait=${wait}`, undefined, { raw: json(caseId) });
      expect(res.status, `wait=${wait}`).toBe(400);
      expect(res.body).toMatchObject({ type: 'urn:arbiter:problem:invalid-case', status: 400 });
      expect(res.body.errors).toContainEqual(expect.objectContaining({ rule, path }));
      expect(res.body.detail).toContain(`rule ${rule}`);
      await expectNoWorkflow(suite.env.client, `decision-${caseId}`);
    }
  });

  it.each([
    ['NUL', 'a\\u0000b', 'no-nul'],
    ['a lone surrogate', '\\udc00', 'no-lone-surrogate'],
  ])('refuses %s in a feedback note with a 400, starting no workflow', async (_name, note, rule) => {
    const feedbackId = uniq('fb');
    const raw = `{"label":"fraud","note":"${note}","feedbackId":"${feedbackId}"}`;
    const res = await call<Problem>('POST', '/v1/decisions/decision-anyone/feedback', undefined, { raw });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:arbiter:problem:feedback-rejected');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'note', rule })]);
    await expectNoWorkflow(suite.env.client, `feedback-decision-anyone-${feedbackId}`);
  });
});

describe('HTTP API: models and pipelines', () => {
  it('lists, registers (probing first), promotes and calls models', async () => {
    const list = await call<{ models: { name: string }[] }>('GET', '/v1/models');
    expect(list.body.models.map((m) => m.name)).toContain('phishing-gb');

    const spec = { ...serviceModel(service, 'api-http', '/score/0.7/0'), aliases: ['champion'] };
    const registered = await call<{ version: { name: string; version: string } }>('POST', '/v1/models', spec);
    expect(registered.status).toBe(201);
    expect(registered.body.version).toMatchObject({ name: 'api-http', version: '1' });
    const broken = await call<Problem>('POST', '/v1/models', serviceModel(service, 'api-broken', '/fail/500'));
    expect(broken.status).toBe(422);
    expect((await call<Problem>('GET', '/v1/models/api-broken')).status).toBe(404);

    const promoted = await call('POST', '/v1/models/api-http/aliases', { alias: 'challenger', version: '1' });
    expect(promoted).toMatchObject({ status: 200, body: { alias: 'challenger', to: '1', actor: 'ana' } });
    // The registration and both alias moves are recorded with the key's name, and shown.
    type Shown = { versions: { actor: string | null }[]; aliasHistory: { alias: string; actor: string | null }[] };
    const shown = await call<Shown>('GET', '/v1/models/api-http', undefined, { key: 'second-key' });
    expect(shown.body.versions.map((v) => v.actor)).toEqual(['ana']);
    expect(shown.body.aliasHistory.map((e) => [e.alias, e.actor])).toEqual([
      ['champion', 'ana'],
      ['challenger', 'ana'],
    ]);
    const noVersion = await call<Problem>('POST', '/v1/models/api-http/aliases', { alias: 'x', version: '9' });
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.available).toContain('api-http@1');

    const inferred = await call('POST', '/v1/models/api-http:challenger/infer', { anything: 1 });
    expect(inferred.body).toMatchObject({ model: 'api-http', version: '1', output: { score: 0.7 } });
    const unknown = await call<Problem>('POST', '/v1/models/nope:champion/infer', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.available).toEqual(expect.arrayContaining(['api-http', 'phishing-gb']));
  });

  it('lists, applies (naming each bad path) and runs pipelines', async () => {
    const list = await call<{ pipelines: { name: string }[] }>('GET', '/v1/pipelines');
    expect(list.body.pipelines.map((p) => p.name)).toContain('demo');

    const spec = { name: 'api-one', steps: [{ id: 'a', type: 'model', model: 'phishing-gb:champion' }], output: 'a' };
    const created = await call('POST', '/v1/pipelines', spec);
    expect(created).toMatchObject({
      status: 201,
      body: { created: true, pipeline: { name: 'api-one', actor: 'ana' } },
    });
    expect(await call('POST', '/v1/pipelines', spec)).toMatchObject({ status: 200, body: { created: false } });
    const ghost = { ...spec, name: 'api-ghost', steps: [{ id: 'a', type: 'model', model: 'ghost:champion' }] };
    const invalid = await call<Problem>('POST', '/v1/pipelines', ghost);
    expect(invalid.status).toBe(400);
    expect(paths(invalid.body)).toEqual(['steps.0.model']);

    const ran = await call('POST', '/v1/pipelines/demo/run', high().input);
    expect(ran.status).toBe(200);
    expect(ran.body).toMatchObject({ pipeline: { name: 'demo' } });
    expect(typeof ran.body.score).toBe('number');
    const missing = await call<Problem>('POST', '/v1/pipelines/no-such/run', high().input);
    expect(missing.status).toBe(404);
    expect(missing.body.available).toContain('demo');
  });

  it('counts requests and decisions in /metrics', async () => {
    const res = await call<string>('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/arbiter_http_requests_total\{method="POST",route="\/v1\/decisions",status="200"\} \d+/);
    expect(res.body).toMatch(/arbiter_http_requests_total\{method="GET",route="\/v1\/models",status="401"\} 3/);
    // The worker's count, in the same registry here (as in `arbiter api` on the embedded stack).
    expect(res.body).toMatch(
      /arbiter_decisions_total\{pipeline="[^"]+",outcome="decline",degraded="false",via="api"\} \d+/,
    );
    // The case the workflow rejected (cases refused at the edge never start one: they show as 4xx requests).
    expect(res.body).toMatch(
      /arbiter_decisions_total\{pipeline="[^"]+",outcome="rejected",degraded="false",via="api"\} 1\n/,
    );
    expect(res.body).toContain('arbiter_http_request_duration_seconds_bucket');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });
});
