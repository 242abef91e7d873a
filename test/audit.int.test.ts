import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecorders } from '../activities/record';
import type { ModelCall } from '../core/pipeline/types';
import type { DecisionRecord } from '../core/records';
import { DecisionStore, hashInput } from '../stores/decision-store';
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
});
