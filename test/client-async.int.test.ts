import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { ArbiterClient, UnknownDecisionError, type DecisionStatus } from '../client';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

let suite: TestOrchestrator;
let client: ArbiterClient;
let holdout: DemoCase[];
const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const single = { model: 'phishing-gb:champion', thresholds: { decline: 0.8, review: 0.4 }, review: { timeoutMs: 500 } };

beforeAll(async () => {
  [suite, holdout] = await Promise.all([startTestOrchestrator('client-async'), loadHoldout()]);
  ({ client } = suite);
});
afterAll(() => suite?.stop());

/** Polls getDecision until it is no longer pending (bounded). */
async function settled(decisionId: string): Promise<DecisionStatus> {
  for (let i = 0; i < 100; i++) {
    const status = await client.getDecision(decisionId);
    if (status.status !== 'pending') return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${decisionId} still pending`);
}

/** Polls visibility (eventually consistent) until `ids` are all listed. */
async function listedEventually(filter: Parameters<ArbiterClient['listDecisions']>[0], ids: string[]) {
  let listed: string[] = [];
  for (let i = 0; i < 100 && !ids.every((id) => listed.includes(id)); i++) {
    listed = (await client.listDecisions(filter)).map((d) => d.decisionId);
    if (!ids.every((id) => listed.includes(id))) await new Promise((r) => setTimeout(r, 100));
  }
  return listed;
}

describe('the asynchronous client', () => {
  it('starts a decision once per case and reads it back when taken', async () => {
    const caseId = uniq('async');
    const input = (holdout[0] as DemoCase).input;
    const first = await client.startDecision({ caseId, input }, single);
    expect(first).toEqual({ decisionId: `decision-${caseId}`, started: true });
    const status = await settled(first.decisionId);
    expect(status.status).toBe('decided');
    const again = await client.startDecision({ caseId, input }, single);
    expect(again.decisionId).toBe(first.decisionId);
    // The same decision as a synchronous decide of that case returns.
    const decided = await client.decide({ caseId, input }, single);
    expect(status.status === 'decided' && status.decision).toEqual(decided);
  });

  it('reports a rejected case with its issues, and an unknown id as an error', async () => {
    const { decisionId } = await client.startDecision({ caseId: uniq('bad'), input: { https: 'yes' } }, single);
    const status = await settled(decisionId);
    expect(status.status).toBe('rejected');
    expect(status.status === 'rejected' && status.issues.map((i) => i.path)).toContain('input.https');
    const err = await client.getDecision('decision-nope-nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownDecisionError);
  });

  it('starts eagerly on the worker’s connection, and plainly on a connection of its own', async () => {
    const shared = new ArbiterClient(new Client({ connection: suite.env.nativeConnection }), {
      taskQueue: suite.taskQueue,
    });
    const input = (holdout[1] as DemoCase).input;
    const eager = await shared.startDecision({ caseId: uniq('eager'), input }, { ...single, eager: true });
    const plain = await client.startDecision({ caseId: uniq('plain'), input }, { ...single, eager: true });
    expect([eager.started, plain.started]).toEqual([true, true]);
    const [a, b] = await Promise.all([settled(eager.decisionId), settled(plain.decisionId)]);
    expect(a.status === 'decided' && a.decision.score).toBe(b.status === 'decided' && b.decision.score);
  });

  it('lists decisions by outcome, pipeline and score from Temporal’s visibility', async () => {
    const high = holdout.find((h) => h.sklearnScore > 0.95) as DemoCase;
    const low = holdout.find((h) => h.sklearnScore < 0.05) as DemoCase;
    const declined = await client.decide({ caseId: uniq('list-d'), input: high.input }, single);
    const approved = await client.decide({ caseId: uniq('list-a'), input: low.input }, single);
    expect([declined.outcome, approved.outcome]).toEqual(['decline', 'approve']);
    const listed = await listedEventually({ outcome: 'decline', pipeline: 'adhoc' }, [declined.decisionId]);
    expect(listed).toContain(declined.decisionId);
    expect(listed).not.toContain(approved.decisionId);
    const [summary] = (await client.listDecisions({ minScore: declined.score, outcome: 'decline' })).filter(
      (d) => d.decisionId === declined.decisionId,
    );
    expect(summary).toMatchObject({ outcome: 'decline', pipeline: 'adhoc', score: declined.score, degraded: false });
  });
});
