import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecorders } from '../activities/record';
import { buildFacts } from '../core/rules/facts';
import { RuleSetSpecSchema } from '../core/rules/spec';
import type { ModelCall } from '../core/pipeline/types';
import type { DecisionResult } from '../core/decision';
import type { DecisionRecord } from '../core/records';
import { DecisionStore, hashInput } from '../stores/decision-store';
import { PgVectorStore } from '../stores/vector';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
let store: DecisionStore;

const input = { https: 1, popup_window: 0 };
const record = (decisionId: string): DecisionRecord => ({
  decisionId,
  caseId: decisionId.replace('decision-', ''),
  outcome: 'decline',
  score: 0.91,
  reasons: ['risk score 0.910 ≥ 0.8', '1 similar past decisions (closest 1.000): 100 % declined, 0 % sent to review'],
  models: [
    {
      step: 'gb',
      model: 'phishing-gb',
      version: '1',
      arm: 'primary',
      status: 'ok',
      score: 0.91,
      output: { score: 0.91 },
      latencyMs: 1.5,
      late: false,
    },
  ],
  rules: { name: 'demo', version: '3', matched: ['high-risk'] },
  similar: [{ id: 'decision-older', score: 1, outcome: 'decline', caseId: 'older', label: 'fraud' }],
  latencyMs: 42,
  timings: { pipeline: 12, similarity: 3.5, rules: 0 },
  thresholds: { decline: 0.8, review: 0.4 },
  pipeline: { name: 'demo', version: '2' },
  degraded: false,
  late: [],
  workflowId: decisionId,
  runId: 'run-1',
  decidedAt: '2026-11-22T10:00:00.000Z',
  input,
});

beforeAll(async () => {
  db = await createTestDatabase();
  store = new DecisionStore(db.pool);
});
afterAll(() => db?.close());

describe('the audit log', () => {
  it('keeps one row per decision with everything that explains it, and ignores a replayed write', async () => {
    const { recordDecision } = createRecorders(store);
    await recordDecision(record('decision-a1'));
    await recordDecision({ ...record('decision-a1'), outcome: 'approve' });
    const row = await store.getDecision('decision-a1');
    expect(row).toMatchObject({
      outcome: 'decline',
      input,
      inputHash: hashInput(input),
      rules: { name: 'demo', version: '3', matched: ['high-risk'] },
      similar: record('x').similar,
      timings: { pipeline: 12, similarity: 3.5, rules: 0 },
      latencyMs: 42,
      pipeline: { name: 'demo', version: '2' },
      workflowId: 'decision-a1',
      runId: 'run-1',
    });
    expect(row?.models[0]?.output).toEqual({ score: 0.91 });
  });

  it.each([
    ['a rule set decided', 'decision-ruled', record('x').rules, undefined, null],
    [
      'the thresholds decided',
      'decision-thresholds',
      undefined,
      { decline: 0.8, review: 0.4 },
      { decline: 0.8, review: 0.4 },
    ],
  ])('records the thresholds only where they decided: %s', async (_name, id, rules, shown, stored) => {
    const { recordDecision } = createRecorders(store);
    await recordDecision({ ...record(id), rules });
    const row = await store.getDecision(id);
    expect(row?.thresholds).toEqual(shown);
    expect(row?.rules).toEqual(rules);
    const { rows } = await db.pool.query('SELECT thresholds FROM decisions WHERE decision_id = $1', [id]);
    expect(rows[0]).toEqual({ thresholds: stored });
  });

  it('stores the case vector with the record where the vector store lives beside the log, and says so', async () => {
    const vectors = new PgVectorStore(db.pool, {});
    const { recordDecision } = createRecorders(store, { vectors });
    const keep = { namespace: 'audit-kept', vector: [0.6, 0.8] };
    expect(await recordDecision(record('decision-kept'), [], undefined, 'api', keep)).toEqual({
      latencyMs: 42,
      remembered: true,
    });
    const [match] = await vectors.query('audit-kept', [0.6, 0.8], { topK: 1 });
    expect(match).toMatchObject({
      id: 'decision-kept',
      metadata: {
        outcome: 'decline',
        score: 0.91,
        caseId: 'kept',
        decidedAt: record('x').decidedAt,
        pipelineVersion: '2',
      },
    });
    // Without a vector to keep (no similarity section, or the search failed) nothing is stored.
    expect(await recordDecision(record('decision-no-vector'))).toEqual({ latencyMs: 42 });
    expect((await vectors.query('audit-kept', [0.6, 0.8], { topK: 5 })).map((m) => m.id)).toEqual(['decision-kept']);
  });

  it('records the decision and leaves its vector to rememberCase when the store refuses it', async () => {
    // A store of 3-dimensional vectors refuses this 2-dimensional one.
    const vectors = new PgVectorStore(db.pool, { dimension: 3 });
    const { recordDecision } = createRecorders(store, { vectors });
    const recorded = await recordDecision(record('decision-refused-vector'), [], undefined, undefined, {
      namespace: 'audit-refused',
      vector: [0.6, 0.8],
    });
    expect(recorded).toEqual({ latencyMs: 42 });
    expect((await store.getDecision('decision-refused-vector'))?.outcome).toBe('decline');
    expect(await new PgVectorStore(db.pool, {}).query('audit-refused', [0.6, 0.8], { topK: 1 })).toEqual([]);
  });

  it('reads a rule-decided row recorded with the default thresholds (before migration 10) without them', async () => {
    const { recordDecision } = createRecorders(store);
    await recordDecision({ ...record('decision-old-ruled'), rules: undefined });
    await db.pool.query("UPDATE decisions SET rule_set = 'demo', rule_set_version = 3 WHERE decision_id = $1", [
      'decision-old-ruled',
    ]);
    const row = await store.getDecision('decision-old-ruled');
    expect(row?.rules).toEqual({ name: 'demo', version: '3', matched: [] });
    expect(row).not.toHaveProperty('thresholds');
  });

  it('writes a decision and its settled calls in one statement, once: a retry inserts nothing, a call settled since is added', async () => {
    const call = (callId: string, status: ModelCall['status']): ModelCall => ({
      callId,
      stepId: callId.split('#')[0] ?? callId,
      model: 'phishing-gb',
      version: '1',
      arm: callId.startsWith('shadow') ? 'shadow' : 'primary',
      placement: 'local',
      status,
      late: false,
      ...(status === 'ok' ? { output: { score: 0.91 }, latencyMs: 1.5 } : {}),
    });
    const first = await store.insertDecisionWithCalls(record('decision-calls'), [
      call('gb#1', 'ok'),
      call('shadow#2', 'pending'),
    ]);
    expect(first.inserted).toBe(true);
    expect(first.freshCalls.map((c) => c.callId)).toEqual(['gb#1']);
    // The activity's retry: the same decision, the shadow settled in between; the decision stays as first written.
    const retry = await store.insertDecisionWithCalls({ ...record('decision-calls'), outcome: 'approve' }, [
      call('gb#1', 'ok'),
      call('shadow#2', 'failed'),
    ]);
    expect(retry.inserted).toBe(false);
    expect(retry.freshCalls.map((c) => c.callId)).toEqual(['shadow#2']);
    expect((await store.getDecision('decision-calls'))?.outcome).toBe('decline');
    const stored = await store.listModelCalls('decision-calls');
    expect(stored.map((c) => [c.callId, c.status])).toEqual([
      ['gb#1', 'ok'],
      ['shadow#2', 'failed'],
    ]);
    // No calls at all: the decision alone.
    const bare = await store.insertDecisionWithCalls(record('decision-no-calls'), []);
    expect(bare).toEqual({ inserted: true, freshCalls: [] });
  });

  it('keeps only the input hash when input storage is off (ARBITER_STORE_INPUT=false)', async () => {
    const { recordDecision, recordRejection } = createRecorders(store, { storeInput: false });
    await recordDecision(record('decision-private'));
    const row = await store.getDecision('decision-private');
    expect([row?.input, row?.inputHash]).toEqual([null, hashInput(input)]);
    await recordRejection({ caseId: 'secret', workflowId: 'w-secret', runId: 'r', issues: [], input: { ssn: 'x' } });
    const [rejection] = await store.listRejections('secret');
    expect(rejection?.input).toBeNull();
  });

  it('searches, decides by rules that read the neighbours and records in one activity; a retry answers what the row holds', async () => {
    const vectors = new PgVectorStore(db.pool, {});
    // The first try finds a declined twin; a retry (after the row was written) would find an approved one.
    const neighbours = [
      [{ id: 'decision-twin', score: 0.99, outcome: 'decline' as const }],
      [{ id: 'decision-other', score: 0.97, outcome: 'approve' as const }],
    ];
    let tries = 0;
    const findSimilar = () =>
      Promise.resolve({ vector: [0.6, 0.8], matches: neighbours[Math.min(tries++, 1)] ?? [], latencyMs: 2 });
    const { recordSearchedDecision } = createRecorders(store, { vectors, findSimilar });
    const { input: _input, outcome: _o, reasons: _r, rules: _rules, similar: _s, ...known } = record('decision-s1');
    const draft = {
      ...known,
      thresholds: { decline: 0.8, review: 0.4 },
      timings: { pipeline: 12, rules: 0 },
      trailingReasons: [],
    };
    const ruleSet = {
      name: 'twins',
      version: '1',
      spec: RuleSetSpecSchema.parse({
        name: 'twins',
        rules: [
          {
            name: 'declined-twin',
            priority: 1,
            when: { all: [{ fact: 'similar', path: '$.declineRate', operator: 'equal', value: 1 }] },
            outcome: 'decline',
            reason: 'its closest past case was declined',
          },
        ],
        default: { outcome: 'approve', reason: 'no declined twin' },
      }),
    };
    const facts = buildFacts({ score: 0.5, degraded: false, calls: [], input, pipeline: draft.pipeline });
    const search = {
      embedder: { name: 'embedder', version: '1' },
      input,
      namespace: 'audit-searched',
      topK: 3,
      excludeId: 'decision-s1',
    };
    const args = { draft, input, ruleSet, facts, search, timeoutMs: 1000 };
    const first = await recordSearchedDecision(args, [], undefined, 'api');
    expect(first).toMatchObject({
      remembered: true,
      found: true,
      decided: { outcome: 'decline', rules: { name: 'twins', version: '1', matched: ['declined-twin'] } },
    });
    expect(first).not.toHaveProperty('vector');
    expect(first.decided.similar).toEqual(neighbours[0]);
    expect(first.decided.reasons.at(-1)).toMatch(/^1 similar past decisions \(closest 0\.990\): 100 % declined/);
    const row = await store.getDecision('decision-s1');
    expect(row).toMatchObject({ outcome: 'decline', similar: neighbours[0], reasons: first.decided.reasons });
    expect(Object.keys(row?.timings ?? {}).sort()).toEqual(['pipeline', 'rules', 'similarity']);
    expect((await vectors.query('audit-searched', [0.6, 0.8], { topK: 1 }))[0]?.id).toBe('decision-s1');

    // The retry's own search says approve; the answer is the decision the log keeps.
    const retry = await recordSearchedDecision(args, [], undefined, 'api');
    expect(tries).toBe(2);
    expect(retry.decided).toEqual(first.decided);
    expect((await store.getDecision('decision-s1'))?.outcome).toBe('decline');
  });

  it('records a searched decision without neighbours when the search fails or is late, and hands back the vector it could not keep', async () => {
    const draftOf = (id: string) => {
      const { input: _i, outcome: _o, reasons: _r, rules: _rules, similar: _s, ...known } = record(id);
      return {
        ...known,
        thresholds: { decline: 0.8, review: 0.4 },
        timings: { pipeline: 12, rules: 0 },
        trailingReasons: ['a note'],
      };
    };
    const search = (id: string) => ({
      embedder: { name: 'e', version: '1' },
      input,
      namespace: 'audit-late',
      topK: 3,
      excludeId: id,
    });
    const late = createRecorders(store, { findSimilar: () => new Promise(() => undefined) });
    const slow = await late.recordSearchedDecision({
      draft: draftOf('decision-late'),
      input,
      search: search('decision-late'),
      timeoutMs: 20,
    });
    // Thresholds decide (0.91 ≥ 0.8); no vector, so nothing to keep.
    expect(slow).toMatchObject({ found: false, decided: { outcome: 'decline', similar: [] } });
    expect(slow.decided.reasons.slice(-2)).toEqual(['a note', 'similar cases unavailable: no answer within 20 ms']);
    expect(slow).not.toHaveProperty('vector');
    // Found, but no store beside the log: the workflow's rememberCase gets the vector.
    const remote = createRecorders(store, {
      findSimilar: () => Promise.resolve({ vector: [1, 0], matches: [], latencyMs: 1 }),
    });
    const found = await remote.recordSearchedDecision({
      draft: draftOf('decision-remote'),
      input,
      search: search('decision-remote'),
      timeoutMs: 1000,
    });
    expect(found).toMatchObject({ found: true, vector: [1, 0], decided: { similar: [] } });
    expect(found).not.toHaveProperty('remembered');
    expect((await store.getDecision('decision-remote'))?.reasons.at(-1)).toBe('no similar past decisions yet');
  });

  it('hands each decision it writes to `answer` (what the workflow answers), and not again for a row already there', async () => {
    const heard: DecisionResult[] = [];
    const { recordDecision } = createRecorders(store, { answer: (d) => heard.push(d) });
    const receivedAt = Date.now() - 30;
    const recorded = await recordDecision(record('decision-heard'), [], receivedAt, 'api');
    const { input: _input, ...decision } = record('decision-heard');
    expect(heard).toEqual([{ ...decision, latencyMs: recorded.latencyMs }]);
    expect(recorded.latencyMs).toBeGreaterThanOrEqual(30);
    // A retry finds its row: the workflow's own answer covers it.
    await recordDecision(record('decision-heard'), [], receivedAt, 'api');
    expect(heard).toHaveLength(1);
  });
});
