import { z } from 'zod';
import { confusionOf, metricsOf, MemberScoreSchema, modelStats, predictedLabel, type Pair } from '../feedback';
import { OutcomeSchema, type Outcome } from '../outcome';
import { auc, brier } from '../score-quality';
import { LabelSchema } from '../similar';
import { bootstrapInterval } from './bootstrap';

/** One replayed decision: what was decided, what the candidate decides (null: it could not score it). */
export const BacktestCaseSchema = z.object({
  decisionId: z.string(),
  caseId: z.string(),
  decided: z.object({ outcome: OutcomeSchema, score: z.number() }),
  candidate: z.object({ outcome: OutcomeSchema, score: z.number() }).nullable(),
  label: LabelSchema.nullable(),
  /** The candidate's member calls that answered with a score. */
  members: z.array(MemberScoreSchema),
  /** Why the candidate could not score it. */
  error: z.string().nullable(),
});
export type BacktestCase = z.infer<typeof BacktestCaseSchema>;

/** Accuracy, precision and recall of outcomes (review claims nothing), AUC and Brier of the score. */
const QualitySchema = z.object({
  n: z.number().int(),
  accuracy: z.number().nullable(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  auc: z.number().nullable(),
  brier: z.number().nullable(),
});
export type Quality = z.infer<typeof QualitySchema>;

const IntervalSchema = z.object({
  estimate: z.number(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  resamples: z.number().int(),
});
const OUTCOMES = ['approve', 'review', 'decline'] as const;
const RowSchema = z.object({ approve: z.number().int(), review: z.number().int(), decline: z.number().int() });

export const BacktestReportSchema = z.object({
  /** Decisions replayed, and how many of them the candidate could not score. */
  replayed: z.number().int(),
  failed: z.number().int(),
  /** matrix[decided][candidate]: how many cases went from one outcome to the other. */
  matrix: z.object({ approve: RowSchema, review: RowSchema, decline: RowSchema }),
  changed: z.object({
    count: z.number().int(),
    /** The first `changedLimit` of them, in replay order. */
    cases: z.array(
      z.object({
        decisionId: z.string(),
        caseId: z.string(),
        decided: OutcomeSchema,
        candidate: OutcomeSchema,
        decidedScore: z.number(),
        candidateScore: z.number(),
        label: LabelSchema.nullable(),
      }),
    ),
  }),
  /** Replayed decisions with a label (feedback) that the candidate scored. */
  labelled: z.number().int(),
  candidate: QualitySchema,
  decided: QualitySchema,
  /** Each member model@version of the candidate, its score cut at `cutoff`. */
  members: z.array(QualitySchema.extend({ model: z.string(), version: z.string() })),
  cutoff: z.number(),
  /** Candidate − decided, with 95 % paired bootstrap intervals; null where undefined (one class). */
  differences: z.object({
    accuracy: IntervalSchema.nullable(),
    precision: IntervalSchema.nullable(),
    recall: IntervalSchema.nullable(),
    auc: IntervalSchema.nullable(),
    brier: IntervalSchema.nullable(),
  }),
  bootstrap: z.object({ rounds: z.number().int(), seed: z.number().int(), level: z.number() }),
});
export type BacktestReport = z.infer<typeof BacktestReportSchema>;

type Labelled = {
  label: 'fraud' | 'legit';
  decided: { outcome: Outcome; score: number };
  candidate: { outcome: Outcome; score: number };
};
type Side = 'decided' | 'candidate';

function quality(rows: readonly Labelled[], side: Side): Quality {
  const pairs: Pair[] = [];
  for (const r of rows) {
    const predicted = predictedLabel(r[side].outcome);
    if (predicted) pairs.push({ predicted, actual: r.label });
  }
  const m = metricsOf(confusionOf(pairs));
  const scored = rows.map((r) => ({ score: r[side].score, positive: r.label === 'fraud' }));
  return {
    n: rows.length,
    accuracy: m.accuracy,
    precision: m.precision,
    recall: m.recall,
    auc: auc(scored),
    brier: brier(scored),
  };
}

/**
 * The backtest's report from its replayed cases: outcome transitions, changed cases and — over the
 * labelled cases the candidate scored — each side's quality, each member's, and candidate − decided
 * with paired bootstrap intervals (seeded). Pure, so the same cases and seed give the same report.
 * @param options.rounds @default 1000
 */
export function backtestReport(
  cases: readonly BacktestCase[],
  options: { seed: number; changedLimit: number; cutoff: number; rounds?: number },
): BacktestReport {
  const matrix = Object.fromEntries(
    OUTCOMES.map((o) => [o, { approve: 0, review: 0, decline: 0 }]),
  ) as BacktestReport['matrix'];
  const changed: BacktestReport['changed']['cases'] = [];
  let changedCount = 0;
  const labelled: Labelled[] = [];
  const memberRows: Parameters<typeof modelStats>[0][number][] = [];
  for (const c of cases) {
    if (!c.candidate) continue;
    matrix[c.decided.outcome][c.candidate.outcome] += 1;
    if (c.decided.outcome !== c.candidate.outcome) {
      changedCount += 1;
      if (changed.length < options.changedLimit)
        changed.push({
          ...{ decisionId: c.decisionId, caseId: c.caseId, decided: c.decided.outcome, candidate: c.candidate.outcome },
          ...{ decidedScore: c.decided.score, candidateScore: c.candidate.score, label: c.label },
        });
    }
    if (c.label) {
      labelled.push({ label: c.label, decided: c.decided, candidate: c.candidate });
      memberRows.push({
        ...{ decisionId: c.decisionId, pipeline: '', label: c.label, outcome: c.candidate.outcome, finalOutcome: null },
        ...{ decidedAt: '', score: c.candidate.score, members: c.members },
      });
    }
  }
  const rounds = options.rounds ?? 1000;
  const diff = (metric: keyof Omit<Quality, 'n'>) =>
    bootstrapInterval(
      labelled.length,
      (idx) => {
        const sample = idx.map((i) => labelled[i] as Labelled);
        const a = quality(sample, 'candidate')[metric];
        const b = quality(sample, 'decided')[metric];
        return a === null || b === null ? null : a - b;
      },
      { seed: options.seed, rounds },
    );
  return {
    replayed: cases.length,
    failed: cases.filter((c) => !c.candidate).length,
    matrix,
    changed: { count: changedCount, cases: changed },
    labelled: labelled.length,
    candidate: quality(labelled, 'candidate'),
    decided: quality(labelled, 'decided'),
    members: modelStats(memberRows, options.cutoff).map((m) => ({
      ...{ model: m.model, version: m.version, n: m.n, accuracy: m.accuracy, precision: m.precision },
      ...{ recall: m.recall, auc: m.auc, brier: m.brier },
    })),
    cutoff: options.cutoff,
    differences: {
      accuracy: diff('accuracy'),
      precision: diff('precision'),
      recall: diff('recall'),
      auc: diff('auc'),
      brier: diff('brier'),
    },
    bootstrap: { rounds, seed: options.seed, level: 0.95 },
  };
}
