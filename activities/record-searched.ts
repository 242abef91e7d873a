import { ApplicationFailure } from '@temporalio/common';
import { applyThresholds, decisionFrom, type DecisionDraft, type DecisionResult, type Verdict } from '../core/decision';
import { Failure } from '../core/failures';
import type { ModelCall } from '../core/pipeline/types';
import type { DecisionRecord } from '../core/records';
import { evaluateRules } from '../core/rules/evaluate';
import type { RuleFacts } from '../core/rules/facts';
import { summarizeSimilar, withSimilarity, type SimilarityOutcome } from '../core/similar';
import type { StoredDecision } from '../stores/decision-store';
import type { PinnedRuleSet } from './load-rule-set';
import type { CaseVectorToKeep, Recorded } from './record';
import type { FindSimilarInput, FindSimilarOutput } from './similarity';

/** What `recordSearchedDecision` searches, decides and records. */
export interface SearchedDecisionInput {
  /** The decision so far, without the similar cases: their matches, time and reason are added here. */
  draft: DecisionDraft;
  input: Record<string, unknown>;
  /** The rule set that decides; without one, the draft's thresholds do. */
  ruleSet?: PinnedRuleSet;
  /** The rules' facts but `similar`, which the matches give here. Only with `ruleSet`. */
  facts?: RuleFacts;
  search: FindSimilarInput;
  /** The pipeline's `similarity.timeoutMs`: a search not done by then is left out, as a failed one. */
  timeoutMs: number;
}

/** What the record holds that the workflow did not know when it called the activity. */
export type DecidedPart = Pick<DecisionResult, 'outcome' | 'reasons' | 'rules' | 'review' | 'similar' | 'timings'>;

/** What `recordSearchedDecision` reports back (recorded in the history, so a replay reads the same). */
export interface SearchedDecision extends Recorded {
  decided: DecidedPart;
  /** The search gave the case a vector (whether or not it found neighbours). */
  found: boolean;
  /** That vector, where it was not stored with the record: the workflow's `rememberCase` stores it. */
  vector?: number[];
}

/** How the activity writes a decision: `recordDecision`'s work, and whether the row was new. */
export type WriteDecision = (
  record: DecisionRecord,
  calls: ModelCall[],
  receivedAt: number | undefined,
  via: string | undefined,
  keep: CaseVectorToKeep | undefined,
) => Promise<Recorded & { inserted: boolean }>;

export interface RecordSearchedDeps {
  write: WriteDecision;
  findSimilar: (input: FindSimilarInput) => Promise<FindSimilarOutput>;
  /** Reads a decision already recorded (a retry after its row was written). */
  stored: (decisionId: string) => Promise<StoredDecision | undefined>;
}

/**
 * Builds `recordSearchedDecision`: the similar-case search, the verdict (rule set or thresholds)
 * and the record in one local activity, for a vector store in the log's own database. Beside the
 * pipeline the search was a local activity of its own that resolved apart from the models: one
 * more workflow activation, marker and set of payloads a decision. Running it after the pipeline
 * costs no wall time on the embedded stack, where models, search and store share one event loop.
 *
 * A retry after the row was written answers with what the row holds: the search could find other
 * neighbours the second time, and the answer must be the decision the log keeps.
 */
export function createRecordSearched({ write, findSimilar, stored }: RecordSearchedDeps) {
  return async function recordSearchedDecision(
    { draft, input, ruleSet, facts, search, timeoutMs }: SearchedDecisionInput,
    calls: ModelCall[] = [],
    receivedAt?: number,
    via?: string,
  ): Promise<SearchedDecision> {
    const similarity = await searchWithin(findSimilar, search, timeoutMs);
    const searched = withSimilarity(draft, similarity);
    const { verdict, rulesMs } = ruleSet
      ? await decideByRules(ruleSet, { ...(facts ?? missingFacts()), similar: similarOf(similarity) })
      : { verdict: applyThresholds(draft.score, draft.thresholds), rulesMs: 0 };
    const decision = decisionFrom(searched, verdict, ruleSet);
    decision.timings = { ...decision.timings, rules: rulesMs };
    const keep = similarity.ok ? { namespace: similarity.namespace, vector: similarity.vector } : undefined;
    const { inserted, ...recorded } = await write({ ...decision, input }, calls, receivedAt, via, keep);
    const row = inserted ? undefined : await stored(decision.decisionId);
    const vector = similarity.ok && !recorded.remembered ? { vector: similarity.vector } : {};
    return {
      ...recorded,
      ...(row?.latencyMs === undefined ? {} : { latencyMs: row.latencyMs }),
      decided: partOf(row ?? decision),
      found: similarity.ok,
      ...vector,
    };
  };
}

/** The search, its failure or its timeout as an outcome: a decision never fails for want of neighbours. */
async function searchWithin(
  findSimilar: RecordSearchedDeps['findSimilar'],
  search: FindSimilarInput,
  timeoutMs: number,
): Promise<SimilarityOutcome> {
  const { namespace } = search;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { ok: true, namespace, ...(await Promise.race([findSimilar(search), late])) };
  } catch (err) {
    return { ok: false, namespace, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

function similarOf(similarity: SimilarityOutcome) {
  return similarity.ok ? summarizeSimilar(similarity.matches) : null;
}

/**
 * The rule set's verdict on `facts` and the ms it took (both record activities that decide by
 * rules). The same facts give the same error on every try: not worth retrying.
 */
export async function decideByRules(
  ruleSet: PinnedRuleSet,
  facts: RuleFacts,
): Promise<{ verdict: Verdict; rulesMs: number }> {
  const started = performance.now();
  const verdict = await evaluateRules(ruleSet.spec, facts).catch((err: unknown) => {
    throw ApplicationFailure.create({
      type: Failure.Rules.Failed,
      message: `rule set ${ruleSet.name}@${ruleSet.version}: ${err instanceof Error ? err.message : String(err)}`,
      nonRetryable: true,
    });
  });
  return { verdict, rulesMs: Math.round((performance.now() - started) * 1000) / 1000 };
}

function missingFacts(): never {
  throw ApplicationFailure.create({
    type: Failure.Rules.Failed,
    message: 'a rule set was given without the facts it decides on',
    nonRetryable: true,
  });
}

function partOf(d: DecidedPart): DecidedPart {
  return {
    outcome: d.outcome,
    reasons: d.reasons,
    ...(d.rules ? { rules: d.rules } : {}),
    ...(d.outcome === 'review' ? { review: { state: 'pending' as const } } : {}),
    ...(d.similar ? { similar: d.similar } : {}),
    ...(d.timings ? { timings: d.timings } : {}),
  };
}
