import type { DemoCase } from '../../cli/demo-cases';

/**
 * Every call of every phase gets a case id never used before, so `decide` makes a decision instead of
 * returning a stored one (one decision per case id), and an input no earlier call had, so that no
 * step's result cache (the demo pipeline caches `gb`) answers in the model's place.
 */
export class FreshCases {
  private n = 0;

  constructor(
    private readonly run: string,
    private readonly cases: readonly DemoCase[],
  ) {
    if (cases.length === 0) throw new Error('no demo cases to draw inputs from');
  }

  /** The next id and input: `<prefix>-<run>-<n>`, a held-out case with one feature nudged by n·1e-9. */
  next(prefix: string): { caseId: string; input: Record<string, number> } {
    const n = this.n++;
    const base = (this.cases[n % this.cases.length] as DemoCase).input;
    return { caseId: `${prefix}-${this.run}-${n}`, input: nudged(base, n) };
  }
}

/**
 * The demo features take the values 0, 0.5 and 1 and the models split between them, so a nudge of
 * under 1e-4 (100,000 calls) changes no tree's path and a linear score by less than 1e-4, while
 * making the input, and with it every cache key, unique.
 */
export function nudged(input: Record<string, number>, n: number): Record<string, number> {
  const key = 'age_of_domain' in input ? 'age_of_domain' : Object.keys(input)[0];
  if (key === undefined) return { ...input };
  const value = input[key] ?? 0;
  const step = (n + 1) * 1e-9;
  return { ...input, [key]: value >= 0.5 ? value - step : value + step };
}
