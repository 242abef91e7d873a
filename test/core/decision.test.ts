import { describe, expect, it } from 'vitest';
import { applyThresholds, ThresholdsSchema } from '../../core/decision';
import { percentile } from '../../core/stats';

describe('applyThresholds', () => {
  const t = { decline: 0.8, review: 0.4 };
  it.each([
    [0, 'approve'],
    [0.399, 'approve'],
    [0.4, 'review'],
    [0.79, 'review'],
    [0.8, 'decline'],
    [1, 'decline'],
  ])('score %f → %s', (score, outcome) => {
    const result = applyThresholds(score, t);
    expect(result.outcome).toBe(outcome);
    expect(result.reasons[0]).toContain(score.toFixed(3));
  });

  it('rejects thresholds where review exceeds decline', () => {
    expect(ThresholdsSchema.safeParse({ decline: 0.3, review: 0.5 }).success).toBe(false);
    expect(ThresholdsSchema.parse({})).toEqual({ decline: 0.8, review: 0.4 });
  });
});

describe('percentile', () => {
  it.each([
    [[5, 1, 3], 50, 3],
    [[1, 2, 3, 4], 50, 2],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [[7], 99, 7],
  ])('%j p%i = %f', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
  it('is NaN for no values', () => expect(percentile([], 50)).toBeNaN());
});
