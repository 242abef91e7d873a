import { percentile } from '../../core/stats';
import { closedLoop, sequential } from './loops';
import { cpuOf, round } from './measure';
import type { Variant } from './variants';

/** How the paired section runs: `rounds` of one slice each of the baseline and the variant. */
export interface PairedSettings {
  rounds: number;
  /** Sequential calls a slice (its p50). */
  sequential: number;
  /** Closed loop a slice (its rate and CPU per call), with the main phases' number of callers. */
  closedSeconds: number;
  lanes: number;
}

/** What one slice of one variant measured. */
export interface Slice {
  seqP50Ms: number;
  perSec: number;
  cpuMsPerOp: number;
}

/** The target ratios: the variant's figure ÷ the baseline's. */
export interface Ratios {
  seqP50: number;
  perSec: number;
  cpuMsPerOp: number;
}

export interface PairedRound {
  /** Which ran first in this round (the order alternates, so a drifting machine favours neither). */
  first: string;
  baseline: Slice;
  variant: Slice;
  ratio: Ratios;
}

/** bench/results/pipeline.json's `paired`. */
export interface PairedResult {
  baseline: string;
  variant: string;
  rounds: PairedRound[];
  /** The median of the rounds' ratios, each ratio on its own. */
  medianRatio: Ratios;
}

export function ratioOf(baseline: Slice, variant: Slice): Ratios {
  return {
    seqP50: round(variant.seqP50Ms / baseline.seqP50Ms, 3),
    perSec: round(variant.perSec / baseline.perSec, 3),
    cpuMsPerOp: round(variant.cpuMsPerOp / baseline.cpuMsPerOp, 3),
  };
}

/** The middle value; the mean of the two middle ones for an even count (neither favoured). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The rounds' ratios, and the median of each. */
export function pairedResult(baseline: string, variant: string, slices: Omit<PairedRound, 'ratio'>[]): PairedResult {
  const rounds = slices.map((s) => ({ ...s, ratio: ratioOf(s.baseline, s.variant) }));
  const of = (k: keyof Ratios) => round(median(rounds.map((r) => r.ratio[k])), 3);
  return {
    baseline,
    variant,
    rounds,
    medianRatio: { seqP50: of('seqP50'), perSec: of('perSec'), cpuMsPerOp: of('cpuMsPerOp') },
  };
}

async function slice(v: Variant, s: PairedSettings, pids: { bench: number; server: number | undefined }) {
  const seq = await sequential(() => v.call(), s.sequential);
  const cpu = async () => {
    const { bench, server } = await cpuOf(pids);
    return bench + server;
  };
  const before = await cpu();
  const closed = await closedLoop(() => v.call(), { lanes: s.lanes, seconds: s.closedSeconds });
  const spent = (await cpu()) - before;
  return {
    seqP50Ms: round(percentile(seq.latencies, 50), 2),
    perSec: round(closed.perSec),
    cpuMsPerOp: round(spent / closed.completed, 2),
  };
}

/**
 * The target ratios measured in alternating slices — baseline then variant, then variant
 * then baseline, and so on — so that both meet the same machine: on 2 shared cores the capacity
 * left to the bench drifts within a run (the in-process variant's own rate moved by 30 % between
 * two runs of the same hour), and variants measured minutes apart take that drift into their ratio.
 * With more than one variant each round runs them all, the order turned by one a round, and every
 * variant's ratios are to the baseline's slice of the same round.
 */
export async function measurePaired(
  baseline: Variant,
  variants: readonly Variant[],
  s: PairedSettings,
  pids: { bench: number; server: number | undefined },
  log: (msg: string) => void,
): Promise<PairedResult[]> {
  const all = [baseline, ...variants];
  const slices = variants.map(() => [] as Omit<PairedRound, 'ratio'>[]);
  for (let i = 0; i < s.rounds; i++) {
    const turn = i % all.length;
    const order = [...all.slice(turn), ...all.slice(0, turn)];
    const measured = new Map<Variant, Slice>();
    for (const v of order) measured.set(v, await slice(v, s, pids));
    const b = measured.get(baseline) as Slice;
    variants.forEach((variant, k) => {
      const a = measured.get(variant) as Slice;
      slices[k]?.push({ first: (order[0] as Variant).name, baseline: b, variant: a });
      log(
        `paired round ${i + 1}: ${variant.name} ÷ ${baseline.name}: p50 ${(a.seqP50Ms / b.seqP50Ms).toFixed(2)}, ` +
          `max ${(a.perSec / b.perSec).toFixed(2)}, CPU ${(a.cpuMsPerOp / b.cpuMsPerOp).toFixed(2)}`,
      );
    });
  }
  return variants.map((v, k) => pairedResult(baseline.name, v.name, slices[k] ?? []));
}
