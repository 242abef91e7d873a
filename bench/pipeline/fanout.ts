import { percentile } from '../../core/stats';
import { sequential } from './loops';
import { round } from './measure';
import type { Variant } from './variants';

/** One row of bench/results/pipeline.json's `fanout`. */
export interface FanoutRow {
  variant: string;
  members: number;
  seqP50Ms: number;
  seqP99Ms: number;
  /** (p50 here − p50 at the smallest size) / extra members; null at the smallest size. */
  msPerExtraMember: number | null;
}

/** Sequential latency of one variant at each fan-out width, smallest first. */
export async function measureFanout(
  name: string,
  variantOf: (members: number) => Variant,
  sizes: readonly number[],
  s: { warmUp: number; sequential: number },
  log: (msg: string) => void,
): Promise<FanoutRow[]> {
  const points: { members: number; latencies: number[] }[] = [];
  for (const members of [...sizes].sort((a, b) => a - b)) {
    const v = variantOf(members);
    await sequential(() => v.call(), s.warmUp);
    const { latencies } = await sequential(() => v.call(), s.sequential);
    log(`fanout ${name} × ${members}: p50 ${percentile(latencies, 50).toFixed(1)} ms`);
    points.push({ members, latencies });
  }
  return fanoutRows(name, points);
}

/** Rows with the cost of each member beyond the smallest width, from p50s (the tail is too noisy). */
export function fanoutRows(name: string, points: { members: number; latencies: number[] }[]): FanoutRow[] {
  const base = points[0];
  const baseP50 = base ? percentile(base.latencies, 50) : Number.NaN;
  return points.map(({ members, latencies }) => {
    const p50 = percentile(latencies, 50);
    const extra = base ? members - base.members : 0;
    return {
      variant: name,
      members,
      seqP50Ms: round(p50, 2),
      seqP99Ms: round(percentile(latencies, 99), 2),
      msPerExtraMember: extra > 0 ? round((p50 - baseP50) / extra, 3) : null,
    };
  });
}
