/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same hold-out split, folds and
 * bootstrap resamples, so a backtest or a fit can be repeated and checked. Not for anything secret.
 */
export type Random = () => number;

/** A generator of numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Splits indices 0..n-1 into a training part and a held-out part of `share` (at least one of each
 * when n ≥ 2), by a seeded shuffle.
 */
export function holdOut(n: number, share: number, seed: number): { train: number[]; test: number[] } {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    seededRandom(seed),
  );
  const k = n < 2 ? 0 : Math.min(Math.max(Math.round(n * share), 1), n - 1);
  return { test: order.slice(0, k).sort((a, b) => a - b), train: order.slice(k).sort((a, b) => a - b) };
}

/** `k` folds of indices 0..n-1 (sizes differ by at most one), by a seeded shuffle. */
export function folds(n: number, k: number, seed: number): number[][] {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    seededRandom(seed),
  );
  const out: number[][] = Array.from({ length: Math.min(k, n) }, () => []);
  order.forEach((idx, i) => out[i % out.length]?.push(idx));
  return out;
}
