import { seededRandom } from './random';

/** A difference and its percentile bootstrap interval. */
export interface Interval {
  /** The statistic on the full sample. */
  estimate: number;
  /** 2.5th and 97.5th percentiles over the resamples (null when no resample could compute it). */
  low: number | null;
  high: number | null;
  /** Resamples where the statistic was defined (a resample with one class has no AUC). */
  resamples: number;
}

/**
 * Paired percentile bootstrap of `statistic` (which returns null where it is undefined): `rounds`
 * resamples of the row indices with replacement, from a seeded generator, so the same seed gives the
 * same interval. Rows are resampled as units, which keeps the pairing of candidate and baseline.
 * @param rounds @default 1000 @param seed @default 1 @param level @default 0.95
 */
export function bootstrapInterval(
  n: number,
  statistic: (indices: readonly number[]) => number | null,
  options: { rounds?: number; seed?: number; level?: number } = {},
): Interval | null {
  const estimate = statistic(Array.from({ length: n }, (_, i) => i));
  if (estimate === null || n === 0) return null;
  const random = seededRandom(options.seed ?? 1);
  const values: number[] = [];
  const sample = new Array<number>(n);
  for (let r = 0; r < (options.rounds ?? 1000); r++) {
    for (let i = 0; i < n; i++) sample[i] = Math.floor(random() * n);
    const v = statistic(sample);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number): number | null =>
    values.length === 0
      ? null
      : (values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))] ?? null);
  return { estimate, low: at(alpha), high: at(1 - alpha), resamples: values.length };
}
