import { percentile } from '../../core/stats';
import { closedLoop, openLoop, sequential } from './loops';
import { cpuMs } from './proc';
import { RssPeak } from './rss';
import type { Outcome, Variant } from './variants';

/** How long each phase runs; see settings.ts. */
export interface PhaseSettings {
  warmUp: number;
  sequential: number;
  closedSeconds: number;
  lanes: number;
  openSeconds: number;
}

/** One row of bench/results/pipeline.json's `variants`. */
export interface VariantResult {
  name: string;
  seqP50Ms: number;
  seqP99Ms: number;
  perSec: number;
  cpuMsPerOp: number;
  peakRssMiB: number;
  openLoop: { rate: number; p50Ms: number; p99Ms: number; degradedPct: number };
  /** Failed calls in the closed and open loops (a failure in the sequential phases stops the run). */
  errors: number;
}

/** What else was seen, for the notes: CPU split by process, eager starts, time inside the workflow. */
export interface VariantDetail {
  name: string;
  cpuMsPerOp: { bench: number; server: number };
  closedLoop: { completed: number; seconds: number };
  /** Share of sequential calls the server started eagerly (floor only). */
  eagerPct?: number;
  /**
   * Arbiter through the stack's client: share of the closed loop's decisions handed over in-process
   * (eager start, the answer from the worker); the rest took the server's update (no free
   * workflow-task slot at start, ARBITER_WORKFLOW_TASK_SLOTS).
   */
  inProcessPct?: number;
  /**
   * Median of the `latencyMs` Arbiter's decisions report about themselves in the sequential phase:
   * measured by the workflow's clock, which stands still within a workflow task (see README).
   */
  reportedLatencyP50Ms?: number;
  /** The bench process's RSS when the variant started, MiB (peakRssMiB includes what came before). */
  rssAtStartMiB: number;
}

export const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;

/** CPU ms so far of the bench process and the dev server (NaN for one that is gone). */
export async function cpuOf(pids: { bench: number; server: number | undefined }) {
  return { bench: (await cpuMs(pids.bench)) ?? Number.NaN, server: (await cpuMs(pids.server)) ?? Number.NaN };
}

/**
 * One variant, phase by phase: warm-up, sequential latency, closed-loop maximum (with the CPU both
 * processes spent on it), then an open loop at half that maximum. Memory is sampled throughout.
 */
export async function measureVariant(
  variant: Variant,
  s: PhaseSettings,
  pids: { bench: number; server: number | undefined },
  log: (msg: string) => void,
): Promise<{ result: VariantResult; detail: VariantDetail }> {
  const rss = new RssPeak(pids.bench);
  await sequential(() => variant.call(), s.warmUp);
  const seq = await sequential(() => variant.call(), s.sequential);
  log(`${variant.name}: sequential p50 ${percentile(seq.latencies, 50).toFixed(1)} ms`);

  const handedBefore = variant.handedInProcess?.();
  const cpuBefore = await cpuOf(pids);
  const closed = await closedLoop(() => variant.call(), { lanes: s.lanes, seconds: s.closedSeconds });
  const cpuAfter = await cpuOf(pids);
  const handed = handedBefore === undefined ? undefined : (variant.handedInProcess?.() ?? 0) - handedBefore;
  const perOp = (k: 'bench' | 'server') => (cpuAfter[k] - cpuBefore[k]) / closed.completed;
  const inProcessNote = handed === undefined ? '' : `, ${handed} answered in-process`;
  log(
    `${variant.name}: closed loop ${closed.perSec.toFixed(1)}/s (${closed.completed} in ${closed.seconds.toFixed(1)} s${inProcessNote})`,
  );

  const rate = closed.perSec / 2;
  const open = await openLoop(() => variant.call(), { rate, seconds: s.openSeconds });
  const peakRssMiB = await rss.stop();
  log(`${variant.name}: open loop at ${rate.toFixed(1)}/s p99 ${percentile(open.latencies, 99).toFixed(1)} ms`);

  const answered = open.latencies.length;
  const result: VariantResult = {
    name: variant.name,
    seqP50Ms: round(percentile(seq.latencies, 50), 2),
    seqP99Ms: round(percentile(seq.latencies, 99), 2),
    perSec: round(closed.perSec),
    cpuMsPerOp: round(perOp('bench') + perOp('server'), 2),
    peakRssMiB: round(peakRssMiB, 0),
    openLoop: {
      rate: round(rate),
      p50Ms: round(percentile(open.latencies, 50), 2),
      p99Ms: round(percentile(open.latencies, 99), 2),
      degradedPct: answered ? round((open.degraded / answered) * 100, 2) : Number.NaN,
    },
    errors: closed.errors + open.errors,
  };
  const detail = detailOf(variant.name, seq.results, perOp, closed);
  const inProcess =
    handed === undefined ? {} : { inProcessPct: round(Math.min(100, (handed / closed.completed) * 100)) };
  return { result, detail: { ...detail, ...inProcess, rssAtStartMiB: round(rss.first ?? Number.NaN, 0) } };
}

function detailOf(
  name: string,
  outcomes: Outcome[],
  perOp: (k: 'bench' | 'server') => number,
  closed: { completed: number; seconds: number },
): Omit<VariantDetail, 'rssAtStartMiB'> {
  const eager = outcomes.filter((o) => o.eager !== undefined);
  const reported = outcomes.flatMap((o) => (o.reportedLatencyMs === undefined ? [] : [o.reportedLatencyMs]));
  return {
    name,
    cpuMsPerOp: { bench: round(perOp('bench'), 2), server: round(perOp('server'), 2) },
    closedLoop: { completed: closed.completed, seconds: round(closed.seconds) },
    ...(eager.length ? { eagerPct: round((eager.filter((o) => o.eager).length / eager.length) * 100) } : {}),
    ...(reported.length ? { reportedLatencyP50Ms: round(percentile(reported, 50)) } : {}),
  };
}
