import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { builtOnce } from './built-once';
import { auc, brier, psi, type ScoredLabel } from './score-quality';
import { DEFAULT_CUTOFF } from './feedback-cutoff';
import { toCaseIssues } from './case';
import { Failure } from './failures';
import { OutcomeSchema, type Outcome } from './outcome';
import { LabelSchema, type Label } from './similar';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/feedback', () => {
  /** Ground truth for one decision, sent after the fact (a chargeback, an analyst's verdict, ...). */
  const FeedbackSchema = z.object({
    decisionId: z.string().min(1).max(512),
    label: LabelSchema,
    /** Who or what says so (`chargeback`, `analyst:ana`, ...). */
    source: z.string().trim().min(1).max(200).optional(),
    note: z.string().max(2000).optional(),
    /** Idempotency key: feedback with an id already recorded changes nothing. @default one per submission */
    feedbackId: z.string().min(1).max(256).optional(),
    /** Who sent it, as authenticated (an API key's name, `cli:<os user>`), unlike `source`, which the sender states. @default unrecorded */
    actor: z.string().min(1).max(200).optional(),
  });
  /** What recording feedback answers: the decision's label now and whether anything was written. */
  const FeedbackReceiptSchema = z.object({
    decisionId: z.string(),
    feedbackId: z.string(),
    /** The decision's pipeline name: its case vector's namespace (`adhoc` decisions have none). */
    pipeline: z.string(),
    /** The decision's label after this feedback (the latest feedback wins). */
    label: LabelSchema,
    /** False when this feedback id was already recorded: nothing was written. */
    changed: z.boolean(),
    /** Why the case vector could not carry the label (no store, pgvector missing, ...); absent when it does. */
    vectorNote: z.string().optional(),
  });
  /**
   * One recorded feedback, as the log keeps it: the one row type of a decision's feedback history
   * (`decisions list --json`, `decisions show --json`, the API's `audit.feedback`).
   */
  const FeedbackEntrySchema = z.object({
    feedbackId: z.string(),
    decisionId: z.string(),
    label: LabelSchema,
    source: z.string().optional(),
    note: z.string().optional(),
    /** Who sent it (FeedbackSchema `actor`); absent when unrecorded. */
    actor: z.string().optional(),
    receivedAt: z.string(),
  });
  /** One member model's answer on a labelled decision. */
  const MemberScoreSchema = z.object({
    model: z.string(),
    version: z.string(),
    arm: z.string(),
    score: z.number(),
  });
  /** A labelled decision as the metrics need it. */
  const LabelledDecisionSchema = z.object({
    decisionId: z.string(),
    pipeline: z.string(),
    label: LabelSchema,
    outcome: OutcomeSchema,
    /** A reviewer's (or the review timeout's) verdict, when there was one. */
    finalOutcome: OutcomeSchema.nullable(),
    decidedAt: z.string(),
    /** The decision's combined score (rule-decided decisions keep the score the members gave). */
    score: z.number(),
    /** Every member call that answered with a score (shadow and canary arms included). */
    members: z.array(MemberScoreSchema),
  });
  /** Counts with `fraud` as the positive class. */
  const ConfusionSchema = z.object({
    tp: z.number().int(),
    fp: z.number().int(),
    tn: z.number().int(),
    fn: z.number().int(),
  });
  /** Metrics are null where their denominator is zero (no predictions, no positives). */
  const MetricsSchema = z.object({
    n: z.number().int(),
    confusion: ConfusionSchema,
    accuracy: z.number().nullable(),
    precision: z.number().nullable(),
    recall: z.number().nullable(),
  });
  /** How well a score ranks and is calibrated against the labels; null without both labels / any row. */
  const ScoreQualityShape = {
    /** Area under the ROC curve of the score (0.5 is chance, 1 ranks every fraud above every legit). */
    auc: z.number().nullable(),
    /** Mean squared error of the score read as a probability of fraud (0 is perfect, 0.25 a coin). */
    brier: z.number().nullable(),
  };
  const DecisionStatsSchema = MetricsSchema.extend({
    ...ScoreQualityShape,
    /** Labelled decisions whose final outcome is still `review`: neither right nor wrong. */
    notAutomated: z.number().int(),
    /** Share of labelled decisions decided automatically (approve or decline). */
    coverage: z.number().nullable(),
  });
  const ModelStatsSchema = MetricsSchema.extend({
    ...ScoreQualityShape,
    model: z.string(),
    version: z.string(),
    /** The arms it answered in (`primary`, `canary`, `shadow`, ...). */
    arms: z.array(z.string()),
    /** Share of labelled decisions it answered. */
    coverage: z.number().nullable(),
  });
  /** A member's score drift: its recent window against everything before it (labels not needed). */
  const ScoreDriftSchema = z.object({
    model: z.string(),
    version: z.string(),
    /** Scores before the recent window (since `--since` when given). */
    referenceN: z.number().int(),
    /** Scores in the recent window. */
    recentN: z.number().int(),
    /** Population stability index; null when either side has too few scores to say. */
    psi: z.number().nullable(),
  });
  /** Drift of every member's scores: the recent window starts at `recentSince`. */
  const DriftReportSchema = z.object({
    recentSince: z.string().nullable(),
    models: z.array(ScoreDriftSchema),
  });
  const FeedbackStatsSchema = z.object({
    labelled: z.number().int(),
    /** A member's score at or above it predicts fraud. */
    cutoff: z.number(),
    decision: DecisionStatsSchema,
    models: z.array(ModelStatsSchema),
    /** Score drift per member model@version (from every call, labelled or not). */
    drift: DriftReportSchema,
  });
  return {
    FeedbackSchema,
    FeedbackReceiptSchema,
    FeedbackEntrySchema,
    MemberScoreSchema,
    LabelledDecisionSchema,
    ConfusionSchema,
    MetricsSchema,
    DecisionStatsSchema,
    ModelStatsSchema,
    FeedbackStatsSchema,
    ScoreDriftSchema,
    DriftReportSchema,
  };
});
export const FeedbackSchema = schemas.FeedbackSchema;
export const FeedbackReceiptSchema = schemas.FeedbackReceiptSchema;
export const FeedbackEntrySchema = schemas.FeedbackEntrySchema;
export const MemberScoreSchema = schemas.MemberScoreSchema;
export const LabelledDecisionSchema = schemas.LabelledDecisionSchema;
export const ConfusionSchema = schemas.ConfusionSchema;
export const MetricsSchema = schemas.MetricsSchema;
export const DecisionStatsSchema = schemas.DecisionStatsSchema;
export const ModelStatsSchema = schemas.ModelStatsSchema;
export const FeedbackStatsSchema = schemas.FeedbackStatsSchema;
export const ScoreDriftSchema = schemas.ScoreDriftSchema;
export const DriftReportSchema = schemas.DriftReportSchema;

export type Feedback = z.infer<typeof FeedbackSchema>;

/** The non-retryable failure for feedback that fails validation, naming every bad field (details[0]). */
export function invalidFeedback(error: z.ZodError): ApplicationFailure {
  const issues = toCaseIssues(error);
  return ApplicationFailure.create({
    type: Failure.Feedback.Invalid,
    message: `invalid feedback: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    nonRetryable: true,
    details: [issues],
  });
}

export type FeedbackReceipt = z.infer<typeof FeedbackReceiptSchema>;
export type FeedbackEntry = z.infer<typeof FeedbackEntrySchema>;
export type MemberScore = z.infer<typeof MemberScoreSchema>;
export type LabelledDecision = z.infer<typeof LabelledDecisionSchema>;
export type Confusion = z.infer<typeof ConfusionSchema>;
export type Metrics = z.infer<typeof MetricsSchema>;
export type DecisionStats = z.infer<typeof DecisionStatsSchema>;
export type ModelStats = z.infer<typeof ModelStatsSchema>;
export type FeedbackStats = z.infer<typeof FeedbackStatsSchema>;
export type ScoreDrift = z.infer<typeof ScoreDriftSchema>;
export type DriftReport = z.infer<typeof DriftReportSchema>;

/** One member's answered score and when it was recorded, as drift reads it. */
export interface TimedScore {
  model: string;
  version: string;
  score: number;
  recordedAt: Date;
}

/** No calls read: no drift to report. */
export const NO_DRIFT: DriftReport = { recentSince: null, models: [] };

/**
 * Each member model@version's PSI of the scores recorded since `recentSince` against those before it.
 */
export function driftOf(calls: readonly TimedScore[], recentSince: Date): DriftReport {
  const groups = new Map<string, { model: string; version: string; reference: number[]; recent: number[] }>();
  for (const c of calls) {
    const key = `${c.model}@${c.version}`;
    const group = groups.get(key) ?? { model: c.model, version: c.version, reference: [], recent: [] };
    groups.set(key, group);
    (c.recordedAt >= recentSince ? group.recent : group.reference).push(c.score);
  }
  const models = [...groups.values()]
    .sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version, 'en', { numeric: true }))
    .map((g) => ({
      model: g.model,
      version: g.version,
      referenceN: g.reference.length,
      recentN: g.recent.length,
      psi: psi(g.reference, g.recent),
    }));
  return { recentSince: recentSince.toISOString(), models };
}

export { DEFAULT_CUTOFF };

const share = (n: number, of: number): number | null => (of === 0 ? null : n / of);

/** What an outcome claims about the truth: decline ↔ fraud, approve ↔ legit, review claims nothing. */
export function predictedLabel(outcome: Outcome): Label | undefined {
  if (outcome === 'decline') return 'fraud';
  if (outcome === 'approve') return 'legit';
  return undefined;
}

/** One prediction beside the truth. */
export interface Pair {
  predicted: Label;
  actual: Label;
}

/** The confusion matrix of (predicted, actual) pairs. */
export function confusionOf(pairs: readonly Pair[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const { predicted, actual } of pairs) {
    if (predicted === 'fraud') c[actual === 'fraud' ? 'tp' : 'fp']++;
    else c[actual === 'legit' ? 'tn' : 'fn']++;
  }
  return c;
}

/** Accuracy, precision and recall (fraud positive) of a confusion matrix. */
export function metricsOf(c: Confusion): Metrics {
  const n = c.tp + c.fp + c.tn + c.fn;
  return {
    n,
    confusion: c,
    accuracy: share(c.tp + c.tn, n),
    precision: share(c.tp, c.tp + c.fp),
    recall: share(c.tp, c.tp + c.fn),
  };
}

/** How the decisions did: a reviewer's verdict replaces the automated outcome; open reviews count apart. */
export function decisionStats(rows: readonly LabelledDecision[]): DecisionStats {
  const pairs: Pair[] = [];
  for (const row of rows) {
    const predicted = predictedLabel(row.finalOutcome ?? row.outcome);
    if (predicted) pairs.push({ predicted, actual: row.label });
  }
  return {
    ...metricsOf(confusionOf(pairs)),
    ...qualityOf(rows.map((r) => ({ score: r.score, positive: r.label === 'fraud' }))),
    notAutomated: rows.length - pairs.length,
    coverage: share(pairs.length, rows.length),
  };
}

/**
 * How each member model (by model@version) did where it answered. A model asked twice in one decision
 * (say as a shadow and as a fallback) counts once: same input, same score.
 */
export function modelStats(rows: readonly LabelledDecision[], cutoff = DEFAULT_CUTOFF): ModelStats[] {
  interface Group {
    model: string;
    version: string;
    arms: Set<string>;
    pairs: Pair[];
    scored: ScoredLabel[];
  }
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const seen = new Set<string>();
    for (const m of row.members) {
      const key = `${m.model}@${m.version}`;
      const group = groups.get(key) ?? { model: m.model, version: m.version, arms: new Set(), pairs: [], scored: [] };
      groups.set(key, group);
      group.arms.add(m.arm);
      if (seen.has(key)) continue;
      seen.add(key);
      group.pairs.push({ predicted: m.score >= cutoff ? 'fraud' : 'legit', actual: row.label });
      group.scored.push({ score: m.score, positive: row.label === 'fraud' });
    }
  }
  return [...groups.values()]
    .sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version, 'en', { numeric: true }))
    .map((g) => ({
      model: g.model,
      version: g.version,
      arms: [...g.arms].sort(),
      ...metricsOf(confusionOf(g.pairs)),
      ...qualityOf(g.scored),
      coverage: share(g.pairs.length, rows.length),
    }));
}

function qualityOf(scored: readonly ScoredLabel[]): { auc: number | null; brier: number | null } {
  return { auc: auc(scored), brier: brier(scored) };
}

/** Decision and member metrics from labelled decisions. @param cutoff @default 0.5 */
export function feedbackStats(
  rows: readonly LabelledDecision[],
  cutoff = DEFAULT_CUTOFF,
  drift: DriftReport = NO_DRIFT,
): FeedbackStats {
  return { labelled: rows.length, cutoff, decision: decisionStats(rows), models: modelStats(rows, cutoff), drift };
}
