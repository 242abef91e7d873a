import { percentile } from '../../core/stats';
import { closedLoop, sequential } from './loops';
import { round, type PhaseSettings } from './measure';
import type { Variant } from './variants';

/** CPU ms so far of each kind of process a row counts. */
export type CpuProbe = () => Promise<CpuByRole>;
export interface CpuByRole {
  bench: number;
  server: number;
  /** Orchestrator, model-pool and floor worker processes. */
  workers: number;
  /** The postmaster and every backend under it. */
  postgres: number;
}

export interface FleetMeasure {
  seqP50Ms: number;
  seqP99Ms: number;
  perSec: number;
  cpuMsPerOp: number;
  pgCpuMsPerOp: number;
  cpuMsPerOpByRole: CpuByRole;
  completed: number;
  errors: number;
}

/**
 * One variant on worker processes: warm-up, sequential latency, then the closed-loop maximum with
 * the CPU every counted process spent on it. No open loop here (measure.ts has it for one process).
 * The warm-up ends with `warmUpSeconds` of the closed loop: sequential calls alone would warm one
 * worker process (the sticky one) and leave the others cold for the measured phases.
 */
export async function measureOnFleet(
  variant: Variant,
  s: PhaseSettings & { warmUpSeconds: number },
  cpu: CpuProbe,
  log: (msg: string) => void,
): Promise<FleetMeasure> {
  await sequential(() => variant.call(), s.warmUp);
  await closedLoop(() => variant.call(), { lanes: s.lanes, seconds: s.warmUpSeconds });
  const seq = await sequential(() => variant.call(), s.sequential);
  const before = await cpu();
  const closed = await closedLoop(() => variant.call(), { lanes: s.lanes, seconds: s.closedSeconds });
  const after = await cpu();
  const perOp = (ms: number) => (closed.completed > 0 ? ms / closed.completed : Number.NaN);
  const by = (k: keyof CpuByRole) => round(perOp(after[k] - before[k]), 2);
  const result = {
    seqP50Ms: round(percentile(seq.latencies, 50), 2),
    seqP99Ms: round(percentile(seq.latencies, 99), 2),
    perSec: round(closed.perSec),
    cpuMsPerOp: round(by('bench') + by('server') + by('workers'), 2),
    pgCpuMsPerOp: by('postgres'),
    cpuMsPerOpByRole: { bench: by('bench'), server: by('server'), workers: by('workers'), postgres: by('postgres') },
    completed: closed.completed,
    errors: closed.errors,
  };
  log(
    `${variant.name}: p50 ${result.seqP50Ms} ms, p99 ${result.seqP99Ms} ms, ${result.perSec}/s, ${result.cpuMsPerOp} + ${result.pgCpuMsPerOp} (PostgreSQL) CPU ms/op, ${closed.errors} errors`,
  );
  return result;
}
