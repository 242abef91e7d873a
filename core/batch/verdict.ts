import { applyThresholds, DEFAULT_THRESHOLDS, type Outcome, type Thresholds } from '../decision';
import type { RowResult } from '../pipeline/batch';
import type { PinnedPipeline } from '../pipeline/types';
import type { DecisionRecord } from '../records';
import { evaluateRules } from '../rules/evaluate';
import { buildFacts } from '../rules/facts';
import { batchDecisionId, type BatchCase, type PinnedRuleSet } from './schema';

/** What every decision of one chunk shares. */
export interface ChunkContext {
  batchId: string;
  pinned: PinnedPipeline;
  rules?: PinnedRuleSet;
  thresholds?: Thresholds;
  workflowId: string;
  runId: string;
  decidedAt: string;
  /** The chunk's pipeline time, kept on each of its decisions as `timings.batchPipeline`. */
  pipelineMs: number;
}

type Scored = Extract<RowResult, { kind: 'scored' }>;

/**
 * A scored case as the decision log keeps it, decided as the decision workflow decides: by the
 * rule set when there is one (its `similar` fact is null: batch runs no similarity search), else
 * by the thresholds; reasons are the verdict's, then the pipeline's notes.
 */
export async function decideScored(c: BatchCase, row: Scored, ctx: ChunkContext): Promise<DecisionRecord> {
  const thresholds = ctx.thresholds ?? DEFAULT_THRESHOLDS;
  const pipeline = { name: ctx.pinned.name, version: ctx.pinned.version };
  let verdict: { outcome: Outcome; reasons: string[] } = applyThresholds(row.score, thresholds);
  let rules: DecisionRecord['rules'];
  if (ctx.rules) {
    const facts = buildFacts({
      score: row.score,
      degraded: row.degraded,
      calls: row.calls,
      input: c.input,
      pipeline,
      similar: null,
    });
    const evaluated = await evaluateRules(ctx.rules.spec, facts);
    verdict = evaluated;
    rules = { name: ctx.rules.name, version: ctx.rules.version, matched: evaluated.matched };
  }
  return {
    decisionId: batchDecisionId(ctx.batchId, c.caseId),
    caseId: c.caseId,
    outcome: verdict.outcome,
    score: row.score,
    reasons: [...verdict.reasons, ...row.notes],
    models: row.calls,
    ...(rules ? { rules } : {}),
    timings: { batchPipeline: ctx.pipelineMs },
    // A rule set decided instead of the thresholds: they are not kept (core/records.ts `recordOf`).
    ...(rules ? {} : { thresholds }),
    pipeline,
    degraded: row.degraded,
    late: [],
    workflowId: ctx.workflowId,
    runId: ctx.runId,
    decidedAt: ctx.decidedAt,
    input: c.input,
  };
}
