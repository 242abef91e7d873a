import { parseArgs } from 'node:util';

export type Target = 'dev' | 'cluster';

/** One row of bench/results/pipeline-cluster.json. */
export interface ClusterRow {
  target: Target;
  /** Orchestrator worker processes (and as many floor worker processes). */
  workers: number;
  variant: string;
  seqP50Ms: number;
  seqP99Ms: number;
  /** Closed loop: fresh decisions per second, `lanes` callers back to back. */
  perSec: number;
  /** CPU ms per closed-loop call of the bench, the Temporal server and every worker process. */
  cpuMsPerOp: number;
  /** The same of PostgreSQL (the cluster's persistence and visibility are there; Arbiter's tables on both). */
  pgCpuMsPerOp: number;
  /** The CPU split: bench, Temporal server, worker processes, PostgreSQL. */
  cpuMsPerOpByRole: { bench: number; server: number; workers: number; postgres: number };
  /** Closed-loop calls answered (what the CPU is divided by). */
  completed: number;
  /** Failed calls in the closed loop (a failure in the sequential phases stops the run). */
  errors: number;
  /**
   * The highest resident memory (VmRSS, sampled every 250 ms while the variant ran) of any one
   * orchestrator worker process (local models included) and of any one model-pool process: what a
   * container of each needs. NaN when no process of that role ran.
   */
  peakRssMiB: { orchestrator: number; modelPool: number };
}

export interface ClusterArgs {
  quick: boolean;
  targets: Target[];
  workers: number[];
}

/** `--target dev|cluster|both` (both: dev first), `--workers 1|2|both`, `--quick`; anything else is an error. */
export function clusterArgs(argv: readonly string[]): ClusterArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { quick: { type: 'boolean' }, target: { type: 'string' }, workers: { type: 'string' } },
    strict: true,
  });
  const target = values.target ?? 'both';
  const workers = values.workers ?? 'both';
  const targets: Record<string, Target[]> = { dev: ['dev'], cluster: ['cluster'], both: ['dev', 'cluster'] };
  const counts: Record<string, number[]> = { '1': [1], '2': [2], both: [1, 2] };
  const t = targets[target];
  const w = counts[workers];
  if (!t) throw new Error(`--target must be dev, cluster or both, got '${target}'`);
  if (!w) throw new Error(`--workers must be 1, 2 or both, got '${workers}'`);
  return { quick: values.quick === true, targets: t, workers: w };
}

const fixed = (n: number, places = 1) => (Number.isFinite(n) ? n.toFixed(places) : '–');

/** The rows as the markdown table bench/README.md shows. */
export function clusterTable(rows: readonly ClusterRow[]): string {
  return [
    '| target | worker processes | variant | seq p50 ms | seq p99 ms | max /s (16 callers) | CPU ms/op (bench+server+workers) | PostgreSQL CPU ms/op | orchestrator peak RSS MiB | model-pool peak RSS MiB | errors |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.workers} | ${r.variant} | ${fixed(r.seqP50Ms, 2)} | ${fixed(r.seqP99Ms, 2)} | ${fixed(r.perSec)} | ${fixed(r.cpuMsPerOp, 2)} | ${fixed(r.pgCpuMsPerOp, 2)} | ${fixed(r.peakRssMiB.orchestrator, 0)} | ${fixed(r.peakRssMiB.modelPool, 0)} | ${r.errors} |`,
    ),
  ].join('\n');
}
