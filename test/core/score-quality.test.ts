import { describe, expect, it } from 'vitest';
import { auc, brier, MIN_DRIFT_SAMPLE, psi, type ScoredLabel } from '../../core/score-quality';

const scored = (fraud: number[], legit: number[]): ScoredLabel[] => [
  ...fraud.map((score) => ({ score, positive: true })),
  ...legit.map((score) => ({ score, positive: false })),
];

describe('auc', () => {
  it.each([
    ['every fraud above every legit', scored([0.9, 0.8], [0.2, 0.1]), 1],
    ['every fraud below every legit', scored([0.1, 0.2], [0.8, 0.9]), 0],
    ['all tied', scored([0.5, 0.5], [0.5, 0.5, 0.5]), 0.5],
    // 0.7 beats 0.6 and 0.2; 0.4 beats 0.2; 0.6 beats 0.2 and ties 0.6 (half): 4.5 of 6.
    ['a tie across the classes counts half', scored([0.7, 0.4, 0.6], [0.6, 0.2]), 4.5 / 6],
    ['one class only', scored([0.7, 0.4], []), null],
    ['nothing', [], null],
  ])('%s', (_, pairs, expected) => {
    const got = auc(pairs);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 12);
  });

  it('does not depend on the order of the rows', () => {
    const pairs = scored([0.7, 0.4, 0.6, 0.3], [0.6, 0.2, 0.35]);
    expect(auc([...pairs].reverse())).toBeCloseTo(auc(pairs) ?? Number.NaN, 12);
  });
});

describe('brier', () => {
  it('is the mean squared error of the score as a probability of fraud', () => {
    expect(brier(scored([1, 0.5], [0, 0.5]))).toBeCloseTo((0 + 0.25 + 0 + 0.25) / 4, 12);
    expect(brier(scored([0], [1]))).toBe(1);
    expect(brier([])).toBeNull();
  });
});

describe('psi', () => {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('is zero for the same distribution', () => {
    expect(psi(range(100), range(100))).toBeCloseTo(0, 12);
  });

  it('sums (r − e)·ln(r / e) over the reference deciles, empty bins at 1e-4', () => {
    // Reference 0..99: deciles of 10 each. Every recent score in the first decile.
    const recent = Array.from({ length: 50 }, (_, i) => i / 10);
    const expected = (1 - 0.1) * Math.log(1 / 0.1) + 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    expect(psi(range(100), recent)).toBeCloseTo(expected, 10);
  });

  it('merges bins where the reference has ties, and needs enough scores on both sides', () => {
    const constant = new Array<number>(40).fill(0.5);
    expect(psi(constant, constant)).toBeCloseTo(0, 12);
    expect(psi(range(MIN_DRIFT_SAMPLE - 1), range(100))).toBeNull();
    expect(psi(range(100), range(MIN_DRIFT_SAMPLE - 1))).toBeNull();
  });
});
