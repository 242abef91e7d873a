import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapInterval } from '../../../core/lab/bootstrap';
import { crossValidatedLogistic, fitLogistic, logLoss, predictLogistic } from '../../../core/lab/logistic';
import { folds, holdOut, seededRandom } from '../../../core/lab/random';
import { fitSimplexWeights, projectToSimplex, weightedBrier } from '../../../core/lab/weights';

// Made by make-fixture.py beside this file (scikit-learn, numbers committed).
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixture.json'), 'utf8')) as {
  x: number[][];
  y: number[];
  fits: { lambda: number; bias: number; weights: number[] }[];
};

describe('L2 logistic regression (IRLS)', () => {
  it.each(fixture.fits)('matches scikit-learn LogisticRegression(C = 1/$lambda)', (ref) => {
    const fit = fitLogistic(fixture.x, fixture.y, ref.lambda);
    expect(fit.bias).toBeCloseTo(ref.bias, 5);
    fit.weights.forEach((w, j) => expect(w).toBeCloseTo(ref.weights[j] ?? NaN, 5));
  });

  it('stays finite on separable data (the penalty bounds the weights)', () => {
    const x = [[0.1], [0.2], [0.3], [0.7], [0.8], [0.9]];
    const y = [0, 0, 0, 1, 1, 1];
    const fit = fitLogistic(x, y, 0.1);
    expect(Number.isFinite(fit.weights[0])).toBe(true);
    expect(predictLogistic(fit, [0.9])).toBeGreaterThan(0.8);
    expect(predictLogistic(fit, [0.1])).toBeLessThan(0.2);
  });

  it('cross-validation picks the penalty with the lowest held-out log loss and refits with it', () => {
    const { fit, scores } = crossValidatedLogistic(fixture.x, fixture.y, [0.01, 1, 1000], 5, 3);
    const best = scores.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
    expect(fit.lambda).toBe(best.lambda);
    expect(scores.find((s) => s.lambda === 1000)?.logLoss).toBeGreaterThan(best.logLoss);
    expect(logLoss([0.5, 0.5], [0, 1])).toBeCloseTo(Math.log(2), 12);
  });
});

describe('simplex weights', () => {
  it('projects onto the simplex', () => {
    expect(projectToSimplex([0.5, 0.5])).toEqual([0.5, 0.5]);
    expect(projectToSimplex([2, 0])).toEqual([1, 0]);
    const p = projectToSimplex([0.9, 0.6, -1]);
    expect(p[0]).toBeCloseTo(0.65, 12);
    expect(p[1]).toBeCloseTo(0.35, 12);
    expect(p[2]).toBe(0);
  });

  it('matches the closed form for two members: a* = clamp(((y − x2)·(x1 − x2)) / ‖x1 − x2‖², 0, 1)', () => {
    const { x, y } = fixture;
    let num = 0;
    let den = 0;
    x.forEach(([a = 0, b = 0], i) => {
      num += ((y[i] ?? 0) - b) * (a - b);
      den += (a - b) ** 2;
    });
    const closed = Math.min(Math.max(num / den, 0), 1);
    const { weights } = fitSimplexWeights(x, y);
    expect(weights[0]).toBeCloseTo(closed, 6);
    expect((weights[0] ?? 0) + (weights[1] ?? 0)).toBeCloseTo(1, 12);
    // Nothing nearby on the simplex does better.
    for (const a of [closed - 0.01, closed + 0.01].filter((v) => v >= 0 && v <= 1))
      expect(weightedBrier(x, y, [a, 1 - a])).toBeGreaterThanOrEqual(weightedBrier(x, y, weights));
  });

  it('puts no weight on a member that only adds noise', () => {
    const x = [
      [0.1, 0.9],
      [0.2, 0.1],
      [0.8, 0.8],
      [0.9, 0.2],
    ];
    expect(fitSimplexWeights(x, [0, 0, 1, 1]).weights[1]).toBeCloseTo(0, 6);
  });
});

describe('seeded splits and bootstrap', () => {
  it('the same seed gives the same numbers, another seed others', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    expect(holdOut(10, 0.3, 5)).toEqual(holdOut(10, 0.3, 5));
  });

  it('hold-out and folds partition the indices', () => {
    const { train, test } = holdOut(20, 0.25, 1);
    expect(test).toHaveLength(5);
    expect([...train, ...test].sort((p, q) => p - q)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const parts = folds(11, 3, 2);
    expect(parts.map((p) => p.length).sort()).toEqual([3, 4, 4]);
    expect(parts.flat().sort((p, q) => p - q)).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it('bootstraps a mean difference: reproducible, around the estimate, and narrowing with more data', () => {
    const diffs = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const mean = (idx: readonly number[]) => idx.reduce((s, i) => s + (diffs[i] ?? 0), 0) / idx.length;
    const ci = bootstrapInterval(diffs.length, mean, { seed: 9, rounds: 2000 });
    expect(ci).toEqual(bootstrapInterval(diffs.length, mean, { seed: 9, rounds: 2000 }));
    expect(ci?.estimate).toBe(0.25);
    // Normal approximation: 0.25 ± 1.96·sqrt(0.25·0.75/200) ≈ [0.19, 0.31].
    expect(ci?.low).toBeGreaterThan(0.17);
    expect(ci?.low).toBeLessThan(0.21);
    expect(ci?.high).toBeGreaterThan(0.29);
    expect(ci?.high).toBeLessThan(0.33);
    const small = bootstrapInterval(20, mean, { seed: 9 });
    expect((small?.high ?? 0) - (small?.low ?? 0)).toBeGreaterThan((ci?.high ?? 0) - (ci?.low ?? 0));
    expect(bootstrapInterval(0, mean)).toBeNull();
  });
});
