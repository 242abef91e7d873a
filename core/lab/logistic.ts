import { Matrix, solve } from 'ml-matrix';
import { folds } from './random';

/** A fitted logistic model: P(positive | x) = σ(bias + Σ weights[j]·x[j]). */
export interface LogisticFit {
  weights: number[];
  bias: number;
  /** The L2 penalty it was fitted with. */
  lambda: number;
  /** Newton steps taken. */
  iterations: number;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** P(positive) of one row. */
export function predictLogistic(fit: Pick<LogisticFit, 'weights' | 'bias'>, x: readonly number[]): number {
  return sigmoid(fit.weights.reduce((acc, w, j) => acc + w * (x[j] ?? 0), fit.bias));
}

/** Mean negative log-likelihood of probabilities against 0/1 labels (clipped, so a sure mistake stays finite). */
export function logLoss(p: readonly number[], y: readonly number[]): number {
  let sum = 0;
  p.forEach((pi, i) => {
    const q = Math.min(Math.max(pi, 1e-15), 1 - 1e-15);
    sum -= (y[i] ?? 0) === 1 ? Math.log(q) : Math.log(1 - q);
  });
  return sum / Math.max(p.length, 1);
}

/**
 * L2-regularised logistic regression by Newton's method (IRLS): minimises
 * Σ logloss(σ(b + x·w), y) + (λ/2)·‖w‖², the intercept unpenalised — scikit-learn's
 * `LogisticRegression(C = 1/λ)` objective, so its coefficients are the reference. The penalty keeps
 * the Hessian positive definite, so separable data still converge. Stops when no coefficient moves
 * more than `tolerance`. @param lambda > 0 @param maxIterations @default 100 @param tolerance @default 1e-10
 */
export function fitLogistic(
  x: readonly (readonly number[])[],
  y: readonly number[],
  lambda: number,
  maxIterations = 100,
  tolerance = 1e-10,
): LogisticFit {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  if (n === 0) throw new Error('logistic regression needs at least one row');
  // Design matrix with a leading column of ones for the intercept.
  const design = new Matrix(x.map((row) => [1, ...row]));
  const target = Matrix.columnVector([...y]);
  const penalty = Matrix.eye(d + 1, d + 1).mul(lambda);
  penalty.set(0, 0, 1e-9); // a whisper on the intercept keeps one-class folds solvable
  let theta = Matrix.zeros(d + 1, 1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const eta = design.mmul(theta);
    const prob = new Matrix(n, 1);
    const w = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const pi = sigmoid(eta.get(i, 0));
      prob.set(i, 0, pi);
      w[i] = Math.max(pi * (1 - pi), 1e-12);
    }
    const gradient = design.transpose().mmul(Matrix.sub(prob, target)).add(penalty.mmul(theta));
    const weighted = design.clone();
    for (let i = 0; i < n; i++) for (let j = 0; j <= d; j++) weighted.set(i, j, design.get(i, j) * (w[i] ?? 0));
    const hessian = design.transpose().mmul(weighted).add(penalty);
    const step = solve(hessian, gradient);
    theta = Matrix.sub(theta, step);
    if (step.abs().max() < tolerance) {
      iterations++;
      break;
    }
  }
  return {
    bias: theta.get(0, 0),
    weights: Array.from({ length: d }, (_, j) => theta.get(j + 1, 0)),
    lambda,
    iterations,
  };
}

/** The penalties cross-validation tries by default (scikit-learn's C = 100 … 0.01). */
export const DEFAULT_LAMBDAS: readonly number[] = [0.01, 0.1, 1, 10, 100];

/** One penalty's k-fold result. */
export interface CvScore {
  lambda: number;
  /** Mean held-out log loss over the folds. */
  logLoss: number;
}

/**
 * Picks the penalty with the lowest mean held-out log loss over `k` seeded folds (ties: the stronger
 * penalty), then refits on every row with it. @param k @default 5 @param seed @default 1
 */
export function crossValidatedLogistic(
  x: readonly (readonly number[])[],
  y: readonly number[],
  lambdas: readonly number[] = DEFAULT_LAMBDAS,
  k = 5,
  seed = 1,
): { fit: LogisticFit; scores: CvScore[] } {
  const parts = folds(x.length, k, seed);
  const scores = lambdas.map((lambda) => {
    let total = 0;
    for (const test of parts) {
      const held = new Set(test);
      const train = x.map((_, i) => i).filter((i) => !held.has(i));
      const fit = fitLogistic(
        train.map((i) => x[i] ?? []),
        train.map((i) => y[i] ?? 0),
        lambda,
      );
      total += logLoss(
        test.map((i) => predictLogistic(fit, x[i] ?? [])),
        test.map((i) => y[i] ?? 0),
      );
    }
    return { lambda, logLoss: total / parts.length };
  });
  const best = scores.reduce((a, b) =>
    b.logLoss < a.logLoss || (b.logLoss === a.logLoss && b.lambda > a.lambda) ? b : a,
  );
  return { fit: fitLogistic(x, y, best.lambda), scores };
}
