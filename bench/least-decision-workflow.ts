// The least a decision with Arbiter's features costs on Temporal, for bench/pipeline.ts: the floor's
// shape (eager start, one round of local activities, then one more) doing the work every decision
// of the demo does — its four model calls, the similar-case search, the record and the case vector —
// with none of Arbiter's own code around them. `arbiter-full` ÷ this is what Arbiter adds.
import { proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { DecisionOutcomeKey, DegradedKey, ScoreKey } from '../core/search-attributes';

export interface LeastCase {
  caseId: string;
  input: Record<string, unknown>;
}

export interface LeastDecided {
  outcome: 'approve' | 'decline' | 'review';
  score: number;
}

export interface LeastDecisionActivities {
  /** Member `member`'s score for the case: one model's real inference. */
  score(member: number, input: Record<string, unknown>): Promise<number>;
  /** Embeds the case, searches similar past ones, records the decision and its calls, keeps the vector. */
  record(c: LeastCase, scores: number[]): Promise<LeastDecided>;
}

const { score, record } = proxyLocalActivities<LeastDecisionActivities>({ startToCloseTimeout: '5s' });

/** Scores the case with `members` models at once, records it, sets the decision's search attributes. */
export async function leastDecisionWorkflow(c: LeastCase, members: number): Promise<LeastDecided> {
  const scores = await Promise.all(Array.from({ length: members }, (_, i) => score(i, c.input)));
  const decided = await record(c, scores);
  upsertSearchAttributes([
    { key: DecisionOutcomeKey, value: decided.outcome },
    { key: ScoreKey, value: decided.score },
    { key: DegradedKey, value: false },
  ]);
  return decided;
}
