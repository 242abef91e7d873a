import type { CombineStep } from './spec';

/** A member's answer as a combine step sees it. */
export interface MemberScore {
  id: string;
  score: number;
}

export interface CombinedScore {
  score: number;
  /** Members that answered and were combined. */
  used: string[];
  /** Members that did not answer (failed, late, or on a branch not taken). */
  missing: string[];
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Combines member scores (every method but stacking, which calls a model). Weights are
 * renormalised over the members present, so a missing member does not drag the score to zero.
 * `vote` yields the share of members at or above `threshold`.
 */
export function combineScores(step: CombineStep, members: readonly MemberScore[]): number {
  const scores = members.map((m) => m.score);
  switch (step.method) {
    case 'mean':
      return mean(scores);
    case 'max':
      return Math.max(...scores);
    case 'min':
      return Math.min(...scores);
    case 'vote':
      return scores.filter((s) => s >= step.threshold).length / scores.length;
    case 'weighted-mean': {
      const weights = members.map((m) => step.weights?.[m.id] ?? 0);
      const total = weights.reduce((a, b) => a + b, 0);
      return total === 0 ? mean(scores) : members.reduce((acc, m, i) => acc + m.score * (weights[i] ?? 0), 0) / total;
    }
    case 'stacking':
      throw new Error('stacking is combined by its meta-model, not here');
  }
}

/** Which inputs answered, and whether enough did (the step's quorum, default all). */
export function quorumOf(
  step: CombineStep,
  available: ReadonlyMap<string, number>,
): { members: MemberScore[]; missing: string[]; met: boolean } {
  const members = step.inputs.flatMap((id) => {
    const score = available.get(id);
    return score === undefined ? [] : [{ id, score }];
  });
  const missing = step.inputs.filter((id) => !available.has(id));
  return { members, missing, met: members.length >= (step.quorum ?? step.inputs.length) && members.length > 0 };
}

/** The stacking meta-model's input row: each member's score under its step id. */
export function stackingRow(members: readonly MemberScore[]): Record<string, number> {
  return Object.fromEntries(members.map((m) => [m.id, m.score]));
}

/** A stable bucket in [0, 100) for a decision key: the same key always lands in the same arm. */
export function canaryBucket(key: string, salt: string): number {
  // FNV-1a: deterministic, fast, no crypto needed (runs inside the workflow sandbox).
  let hash = 0x811c9dc5;
  for (const ch of `${salt}:${key}`) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 10_000) / 100;
}
