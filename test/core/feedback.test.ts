import { describe, expect, it } from 'vitest';
import {
  confusionOf,
  decisionStats,
  driftOf,
  feedbackStats,
  FeedbackSchema,
  invalidFeedback,
  metricsOf,
  modelStats,
  type LabelledDecision,
  type MemberScore,
  type TimedScore,
} from '../../core/feedback';

const m = (model: string, version: string, arm: string, score: number): MemberScore => ({ model, version, arm, score });
const row = (
  decisionId: string,
  label: 'fraud' | 'legit',
  outcome: 'approve' | 'decline' | 'review',
  finalOutcome: 'approve' | 'decline' | 'review' | null,
  members: MemberScore[],
): LabelledDecision => ({
  decisionId,
  pipeline: 'demo',
  label,
  outcome,
  finalOutcome,
  decidedAt: '',
  score: DECISION_SCORES[decisionId] ?? Number.NaN,
  members,
});

/** Each decision's combined score: AUC 9.5/15 and Brier 1.77/8, worked out by hand in the test below. */
const DECISION_SCORES: Record<string, number> = {
  d1: 0.9,
  d2: 0.4,
  d3: 0.6,
  d4: 0.1,
  d5: 0.5,
  d6: 0.5,
  d7: 0.3,
  d8: 0.8,
};

// Every confusion cell is non-zero for the decision, gb@1 and nn@1 (worked out by hand beside each row).
const ROWS: LabelledDecision[] = [
  // Each trailing comment: the decision's cell, gb@1's (score ≥ 0.5 is fraud), nn@1's.
  row('d1', 'fraud', 'decline', null, [m('gb', '1', 'primary', 0.9), m('nn', '1', 'shadow', 0.7)]), // TP TP TP
  row('d2', 'fraud', 'approve', null, [m('gb', '1', 'primary', 0.3), m('nn', '1', 'primary', 0.6)]), // FN FN TP
  row('d3', 'legit', 'decline', null, [m('gb', '1', 'primary', 0.6), m('nn', '1', 'primary', 0.2)]), // FP FP TN
  row('d4', 'legit', 'approve', null, [
    m('gb', '1', 'primary', 0.1),
    m('nn', '1', 'primary', 0.4),
    m('lr', '10', 'canary', 0.7),
  ]), // TN TN TN; lr@10 FP
  row('d5', 'legit', 'review', 'approve', [m('gb', '1', 'primary', 0.45), m('nn', '1', 'primary', 0.55)]), // TN TN FP
  row('d6', 'fraud', 'review', null, [m('gb', '1', 'primary', 0.5)]), // open review; gb TP (at the cut-off)
  row('d7', 'fraud', 'review', 'review', [
    m('gb', '1', 'primary', 0.2),
    m('nn', '1', 'shadow', 0.3),
    m('lr', '2', 'canary', 0.8),
  ]), // escalated, still review; gb FN, nn FN, lr@2 TP
  row('d8', 'fraud', 'review', 'decline', [
    m('gb', '1', 'primary', 0.85),
    m('nn', '1', 'primary', 0.9),
    m('nn', '1', 'fallback', 0.9),
  ]), // reviewer declined: TP; gb TP; nn TP once
];

describe('feedback metrics', () => {
  it('scores the decision by its final outcome and keeps open reviews out of right and wrong', () => {
    const s = decisionStats(ROWS);
    expect(s.confusion).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 });
    expect(s.n).toBe(6);
    expect(s.accuracy).toBeCloseTo(4 / 6, 10);
    expect(s.precision).toBeCloseTo(2 / 3, 10);
    expect(s.recall).toBeCloseTo(2 / 3, 10);
    expect(s.notAutomated).toBe(2);
    expect(s.coverage).toBe(0.75);
  });

  it('scores each member by model@version where it answered, once per decision, with its arms', () => {
    const byKey = Object.fromEntries(modelStats(ROWS).map((s) => [`${s.model}@${s.version}`, s]));
    expect(Object.keys(byKey)).toEqual(['gb@1', 'lr@2', 'lr@10', 'nn@1']);
    expect(byKey['gb@1']).toMatchObject({
      n: 8,
      confusion: { tp: 3, fp: 1, tn: 2, fn: 2 },
      accuracy: 5 / 8,
      precision: 3 / 4,
      recall: 3 / 5,
      coverage: 1,
      arms: ['primary'],
    });
    expect(byKey['nn@1']).toMatchObject({
      n: 7,
      confusion: { tp: 3, fp: 1, tn: 2, fn: 1 },
      precision: 3 / 4,
      recall: 3 / 4,
      coverage: 7 / 8,
      arms: ['fallback', 'primary', 'shadow'],
    });
    expect(byKey['nn@1']?.accuracy).toBeCloseTo(5 / 7, 10);
    expect(byKey['lr@2']).toMatchObject({ n: 1, accuracy: 1, precision: 1, recall: 1, arms: ['canary'] });
    // One false alarm and no fraud seen: recall has no denominator.
    expect(byKey['lr@10']).toMatchObject({ n: 1, accuracy: 0, precision: 0, recall: null });
  });

  it('moves member predictions with the cut-off', () => {
    const stats = feedbackStats(ROWS, 0.95);
    expect(stats).toMatchObject({ labelled: 8, cutoff: 0.95 });
    expect(stats.models[0]).toMatchObject({
      model: 'gb',
      confusion: { tp: 0, fp: 0, tn: 3, fn: 5 },
      accuracy: 3 / 8,
      precision: null,
      recall: 0,
    });
    // The decision does not depend on the members' cut-off.
    expect(stats.decision).toEqual(decisionStats(ROWS));
  });

  it('has no metrics without data', () => {
    expect(metricsOf(confusionOf([]))).toEqual({
      n: 0,
      confusion: { tp: 0, fp: 0, tn: 0, fn: 0 },
      accuracy: null,
      precision: null,
      recall: null,
    });
    expect(feedbackStats([])).toMatchObject({
      labelled: 0,
      cutoff: 0.5,
      models: [],
      decision: { coverage: null, auc: null, brier: null },
      drift: { recentSince: null, models: [] },
    });
  });

  it("ranks and calibrates the decision's combined score over every labelled decision, open reviews too", () => {
    // Fraud scores .9 .4 .5 .3 .8 against legit .6 .1 .5: 9.5 of 15 pairs ordered (the .5 tie counts half).
    const s = decisionStats(ROWS);
    expect(s.auc).toBeCloseTo(9.5 / 15, 12);
    // (.01 + .36 + .25 + .49 + .04) for fraud, (.36 + .01 + .25) for legit, over 8.
    expect(s.brier).toBeCloseTo(1.77 / 8, 12);
  });

  it("ranks and calibrates each member's score where it answered, once per decision", () => {
    const gb = modelStats(ROWS).find((m) => m.model === 'gb');
    // gb@1: fraud .9 .3 .5 .2 .85 against legit .6 .1 .45: 10 of 15 pairs ordered.
    expect(gb?.auc).toBeCloseTo(10 / 15, 12);
    expect(gb?.brier).toBeCloseTo((0.01 + 0.49 + 0.25 + 0.64 + 0.0225 + 0.36 + 0.01 + 0.2025) / 8, 12);
    // lr@10 answered one legit decision only: no AUC without both labels, a Brier of one.
    const lr10 = modelStats(ROWS).find((m) => m.model === 'lr' && m.version === '10');
    expect(lr10).toMatchObject({ auc: null });
    expect(lr10?.brier).toBeCloseTo(0.49, 12);
  });
});

describe('score drift', () => {
  const at = (iso: string) => new Date(iso);
  const calls = (model: string, scores: number[], when: string): TimedScore[] =>
    scores.map((score) => ({ model, version: '1', score, recordedAt: at(when) }));
  const spread = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / n);

  it("compares each model's recent scores with those before the window, and says nothing on too few", () => {
    const report = driftOf(
      [
        ...calls('steady', spread(50, 0, 1), '2026-01-01T00:00:00Z'),
        ...calls('steady', spread(50, 0, 1), '2026-01-09T00:00:00Z'),
        ...calls('shifted', spread(50, 0, 1), '2026-01-01T00:00:00Z'),
        ...calls('shifted', spread(50, 0.7, 1), '2026-01-09T00:00:00Z'),
        ...calls('new', spread(30, 0, 1), '2026-01-09T00:00:00Z'),
      ],
      at('2026-01-08T00:00:00Z'),
    );
    expect(report.recentSince).toBe('2026-01-08T00:00:00.000Z');
    const by = Object.fromEntries(report.models.map((m) => [m.model, m]));
    expect(Object.keys(by)).toEqual(['new', 'shifted', 'steady']);
    expect(by.steady).toMatchObject({ referenceN: 50, recentN: 50 });
    expect(by.steady?.psi).toBeCloseTo(0, 12);
    expect(by.shifted?.psi).toBeGreaterThan(0.25);
    expect(by.new).toMatchObject({ referenceN: 0, recentN: 30, psi: null });
  });
});

describe('FeedbackSchema', () => {
  it.each([
    [{ decisionId: 'd', label: 'maybe' }, 'label'],
    [{ decisionId: '', label: 'fraud' }, 'decisionId'],
    [{ decisionId: 'd', label: 'fraud', source: 'x'.repeat(201) }, 'source'],
    [{ decisionId: 'd', label: 'fraud', note: 'x'.repeat(2001) }, 'note'],
    [{ decisionId: 'd', label: 'fraud', feedbackId: '' }, 'feedbackId'],
  ])('rejects %j, naming %s, as a non-retryable Feedback.Invalid', (input, field) => {
    const parsed = FeedbackSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    const failure = invalidFeedback(parsed.error!);
    expect(failure).toMatchObject({ type: 'Feedback.Invalid', nonRetryable: true });
    expect(failure.message).toContain(`${field}: `);
    expect(failure.details?.[0]).toEqual([expect.objectContaining({ path: field })]);
  });

  it('accepts the longest source and note', () => {
    const ok = { decisionId: 'd', label: 'legit', source: 'x'.repeat(200), note: 'y'.repeat(2000) };
    expect(FeedbackSchema.parse(ok)).toEqual(ok);
  });
});
