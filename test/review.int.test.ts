import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewNotPendingError, type ArbiterClient } from '../client';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import type { DecisionResult } from '../core/decision';
import type { OrchestratorRuntime } from '../workers/orchestrator-runtime';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

let env: TestWorkflowEnvironment;
let suite: TestOrchestrator;
let runtime: OrchestratorRuntime;
let client: ArbiterClient;
let holdout: DemoCase[];
const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
// Every score lands in review: decline only at 1.01, review from 0.
const toReview = { model: 'phishing-gb:champion', thresholds: { decline: 1, review: 0 } } as const;

beforeAll(async () => {
  [suite, holdout] = await Promise.all([startTestOrchestrator('review'), loadHoldout()]);
  ({ env, runtime, client } = suite);
});

afterAll(() => suite?.stop());

const decide = (p: string, extra: object = {}) =>
  client.decide({ caseId: uniq(p), input: (holdout[0] as DemoCase).input }, { ...toReview, ...extra });

describe('human review', () => {
  it('waits durably for a reviewer, records the verdict, and refuses a second one', async () => {
    const decision = await decide('approve-me');
    expect(decision).toMatchObject({ outcome: 'review', review: { state: 'pending' } });
    // The decision answered at once; the workflow is still waiting, listed as pending.
    let pending: string[] = [];
    for (let i = 0; i < 50 && !pending.includes(decision.decisionId); i++) {
      pending = (await client.pendingReviews()).map((p) => p.decisionId);
      if (!pending.includes(decision.decisionId)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toContain(decision.decisionId);

    const verdict = await client.review(decision.decisionId, {
      action: 'approve',
      reviewer: 'ana',
      note: 'known good site',
    });
    expect(verdict).toMatchObject({ state: 'approved', finalOutcome: 'approve', reviewer: 'ana' });
    const final = (await env.client.workflow.getHandle(decision.workflowId).result()) as DecisionResult;
    expect(final.outcome).toBe('approve');
    expect(final.reasons.at(-1)).toContain('reviewed by ana: approved (known good site)');
    expect((await runtime.store.getDecision(decision.decisionId))?.review).toMatchObject({
      state: 'approved',
      finalOutcome: 'approve',
      reviewer: 'ana',
      note: 'known good site',
    });

    const again = await client
      .review(decision.decisionId, { action: 'decline', reviewer: 'bo' })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ReviewNotPendingError);
    // Says how it ended, not "no such decision".
    expect((again as Error).message).toMatch(/already reviewed: approved by ana at \S+ \(known good site\)/);
  });

  it('escalates when nobody reviews in time, with the declared outcome', async () => {
    const decision = await decide('nobody', { review: { timeoutMs: 500, onTimeout: 'decline' } });
    const final = (await env.client.workflow.getHandle(decision.workflowId).result()) as DecisionResult;
    expect(final).toMatchObject({ outcome: 'decline', review: { state: 'escalated', finalOutcome: 'decline' } });
    expect((await runtime.store.getDecision(decision.decisionId))?.review?.state).toBe('escalated');
    const late = await client
      .review(decision.decisionId, { action: 'approve', reviewer: 'ana' })
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(ReviewNotPendingError);
    expect((late as Error).message).toMatch(/escalated at \S+ \(nobody reviewed it in time\), final outcome decline/);
  });

  it('answers at once, with a clear error, for a decision that is not waiting', async () => {
    const settled = await client.decide(
      { caseId: uniq('settled'), input: (holdout[0] as DemoCase).input },
      { model: 'phishing-gb:champion' },
    );
    expect(settled.outcome).not.toBe('review');
    const cases: [string, RegExp][] = [
      [settled.decisionId, /not waiting for review/],
      ['decision-does-not-exist', /no such decision/],
    ];
    for (const [id, message] of cases) {
      const started = Date.now();
      const err = await client.review(id, { action: 'approve', reviewer: 'ana' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReviewNotPendingError);
      expect((err as Error).message).toMatch(message);
      expect(Date.now() - started).toBeLessThan(3000);
    }
  });

  it('rejects a malformed review before sending it', async () => {
    const decision = await decide('bad-review');
    await expect(client.review(decision.decisionId, { action: 'approve', reviewer: ' ' })).rejects.toThrow(/reviewer/);
    await client.review(decision.decisionId, { action: 'decline', reviewer: 'cy' });
  });
});
