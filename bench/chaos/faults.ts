import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchStack } from '../stack/bench-stack';
import type { LoadProgress } from './load';

export type FaultKind = 'kill-worker' | 'kill-server' | 'db-outage';

/** One fault as it happened. */
export interface FaultRecord {
  kind: FaultKind;
  /** Fraction of the decisions closed before it was due (its random moment). */
  dueAt: number;
  target?: string;
  pid?: number;
  /** Seconds since the load began. */
  atS: number;
  /** Decisions started and not yet closed when it hit. */
  inFlight: number;
  /** From the fault until the process served again, or the outage's length, ms. */
  downMs: number;
}

/**
 * K worker kills, one dev-server kill and one outage, each due at a random point of the load (when 5–85 %
 * of the decisions have closed: `started` jumps to the concurrency at once, `closed` moves with the run).
 * @param serverKill whether the plan kills the dev server (not a cluster the bench did not start) @default true
 */
export function planFaults(
  kills: number,
  outageS: number,
  random: () => number,
  serverKill = true,
): { kind: FaultKind; dueAt: number }[] {
  const at = () => 0.05 + random() * 0.8;
  const plan: { kind: FaultKind; dueAt: number }[] = [];
  for (let i = 0; i < kills; i++) plan.push({ kind: 'kill-worker', dueAt: at() });
  if (serverKill) plan.push({ kind: 'kill-server', dueAt: at() });
  if (outageS > 0) plan.push({ kind: 'db-outage', dueAt: at() });
  return plan.sort((a, b) => a.dueAt - b.dueAt);
}

/**
 * Runs the plan as the load reaches each fault's moment (at once when the load has ended first, so
 * every fault happens). A killed worker is started again after a 0.5–3 s pause in the background,
 * so the next fault does not wait for it (a worker takes 10–30 s to start on a busy machine); a
 * slot still restarting is not picked again. The dev-server restart and the outage are waited out.
 */
export async function runFaults(opts: {
  plan: { kind: FaultKind; dueAt: number }[];
  stack: BenchStack;
  progress: LoadProgress;
  total: number;
  loadDone: () => boolean;
  outageS: number;
  /** The least time between two faults while the load runs, ms. */
  gapMs: number;
  random: () => number;
  t0: number;
  log: (msg: string) => void;
}): Promise<FaultRecord[]> {
  const { stack, progress, log } = opts;
  const done: FaultRecord[] = [];
  const restarting = new Map<string, Promise<void>>();
  let lastAt = 0;
  for (const fault of opts.plan) {
    // Decisions that fail fast (during an outage) close quickly: without a gap every later fault would fall due at once.
    while (!opts.loadDone() && (progress.closed < fault.dueAt * opts.total || Date.now() - lastAt < opts.gapMs))
      await sleep(50);
    lastAt = Date.now();
    const base = { kind: fault.kind, dueAt: round(fault.dueAt), atS: round((Date.now() - opts.t0) / 1000) };
    const inFlight = progress.started - progress.closed;
    const pause = 500 + Math.floor(opts.random() * 2500);
    if (fault.kind === 'kill-worker') {
      const pick = Math.floor(opts.random() * stack.slots.length);
      // Bounded: every slot restarting means waiting for one of them.
      if (restarting.size >= stack.slots.length) await Promise.race(restarting.values());
      const ready = stack.slots.filter((s) => !restarting.has(s.name));
      const slot = ready[pick % Math.max(ready.length, 1)];
      if (!slot) continue;
      await stack.sampleCpu();
      log(`kill -9 ${slot.name} (pid ${slot.proc?.pid}) with ${inFlight} in flight`);
      const record: FaultRecord = { ...base, target: slot.name, pid: slot.proc?.pid, inFlight, downMs: Number.NaN };
      done.push(record);
      const restart = slot.kill9AndRestart(pause).then(
        ({ readyMs }) => {
          record.downMs = readyMs;
          log(`${slot.name} serves again after ${readyMs} ms`);
        },
        (err: unknown) => log(`${slot.name} did not come back: ${err instanceof Error ? err.message : String(err)}`),
      );
      restarting.set(
        slot.name,
        restart.finally(() => restarting.delete(slot.name)),
      );
    } else if (fault.kind === 'kill-server') {
      log(`kill -9 temporal dev server with ${inFlight} in flight`);
      const { pid, readyMs } = await stack.killServerAndRestart(pause);
      done.push({ ...base, target: 'temporal-dev-server', pid, inFlight, downMs: readyMs });
      log(`temporal dev server serves again after ${readyMs} ms`);
    } else {
      log(`database outage of ${opts.outageS} s with ${inFlight} in flight`);
      await stack.proxy.close();
      await sleep(opts.outageS * 1000);
      await stack.proxy.open();
      done.push({ ...base, target: 'database', inFlight, downMs: opts.outageS * 1000 });
      log('database reachable again');
    }
  }
  await Promise.all(restarting.values());
  return done;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
