/**
 * How good and how stable a score is: ranking (AUC), calibration (Brier) and drift (PSI). Pure
 * functions over plain numbers, shared by `decisions stats` and anything else that judges scores.
 */

/** A score beside the truth: `positive` is the fraud label. */
export interface ScoredLabel {
  score: number;
  positive: boolean;
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative, ties
 * counting half (the Mann–Whitney U statistic over both counts). Null without both classes.
 */
export function auc(pairs: readonly ScoredLabel[]): number | null {
  const positives = pairs.filter((p) => p.positive).length;
  const negatives = pairs.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...pairs].sort((a, b) => a.score - b.score);
  // Average ranks (1-based) over runs of equal scores; sum the positives' ranks.
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]?.score === sorted[i]?.score) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (sorted[k]?.positive) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between the score (read as a probability of fraud) and the truth. Null for none. */
export function brier(pairs: readonly ScoredLabel[]): number | null {
  if (pairs.length === 0) return null;
  let sum = 0;
  for (const { score, positive } of pairs) sum += (score - (positive ? 1 : 0)) ** 2;
  return sum / pairs.length;
}

/** Scores needed on each side before a PSI means anything. */
export const MIN_DRIFT_SAMPLE = 20;

/** Proportions this small stand in for empty bins, so the logarithm stays finite. */
const EMPTY_BIN = 1e-4;

/**
 * Population stability index of `recent` against `reference`: Σ (r − e)·ln(r / e) over bins cut at
 * the reference's deciles (equal-population bins, the usual choice; ties merge bins). Below 0.1 is
 * commonly read as stable, above 0.25 as a shift worth a look. Null when either side has fewer than
 * MIN_DRIFT_SAMPLE scores.
 */
export function psi(reference: readonly number[], recent: readonly number[], bins = 10): number | null {
  if (reference.length < MIN_DRIFT_SAMPLE || recent.length < MIN_DRIFT_SAMPLE) return null;
  const sorted = [...reference].sort((a, b) => a - b);
  const edges = [
    ...new Set(
      Array.from({ length: bins - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / bins)] ?? 0),
    ),
  ];
  const shares = (values: readonly number[]): number[] => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of values) {
      let bin = 0;
      while (bin < edges.length && v >= (edges[bin] ?? Infinity)) bin++;
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    return counts.map((c) => Math.max(c / values.length, EMPTY_BIN));
  };
  const expected = shares(reference);
  const actual = shares(recent);
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? EMPTY_BIN;
    const r = actual[i] ?? EMPTY_BIN;
    sum += (r - e) * Math.log(r / e);
  }
  return sum;
}
