/**
 * Weighted-mean weights fitted to labels: non-negative, summing to one (so the combined score stays
 * a probability-like score in the members' range), minimising the mean squared error against the
 * 0/1 labels — the Brier score of the weighted mean. A least-squares problem on the simplex, solved
 * by projected gradient descent with step 1/L (L bounds the gradient's Lipschitz constant by the
 * trace of 2·XᵀX/n); the problem is convex, so this converges to the minimum.
 */

/** Euclidean projection onto { w ≥ 0, Σw = 1 } (Duchi et al. 2008, sort-based). */
export function projectToSimplex(v: readonly number[]): number[] {
  const sorted = [...v].sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let i = 0; i < sorted.length; i++) {
    cumulative += sorted[i] ?? 0;
    const t = (cumulative - 1) / (i + 1);
    if ((sorted[i] ?? 0) - t > 0) theta = t;
  }
  return v.map((x) => Math.max(x - theta, 0));
}

/** Mean squared error of the weighted mean Xw against y. */
export function weightedBrier(x: readonly (readonly number[])[], y: readonly number[], w: readonly number[]): number {
  let sum = 0;
  x.forEach((row, i) => {
    const s = row.reduce((acc, v, j) => acc + v * (w[j] ?? 0), 0);
    sum += (s - (y[i] ?? 0)) ** 2;
  });
  return sum / Math.max(x.length, 1);
}

/** Simplex-constrained least squares: the weights, and how many steps it took. @param maxIterations @default 20000 */
export function fitSimplexWeights(
  x: readonly (readonly number[])[],
  y: readonly number[],
  maxIterations = 20_000,
  tolerance = 1e-12,
): { weights: number[]; iterations: number } {
  const d = x[0]?.length ?? 0;
  if (x.length === 0 || d === 0) throw new Error('fitting weights needs rows with at least one member');
  const n = x.length;
  let trace = 0;
  for (const row of x) for (const v of row) trace += (2 * v * v) / n;
  const step = 1 / Math.max(trace, 1e-12);
  let w = new Array<number>(d).fill(1 / d);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Array<number>(d).fill(0);
    x.forEach((row, i) => {
      const residual = row.reduce((acc, v, j) => acc + v * (w[j] ?? 0), 0) - (y[i] ?? 0);
      row.forEach((v, j) => (gradient[j] = (gradient[j] ?? 0) + (2 * residual * v) / n));
    });
    const next = projectToSimplex(w.map((wj, j) => wj - step * (gradient[j] ?? 0)));
    const moved = Math.max(...next.map((v, j) => Math.abs(v - (w[j] ?? 0))));
    w = next;
    if (moved < tolerance) {
      iterations++;
      break;
    }
  }
  return { weights: w, iterations };
}
