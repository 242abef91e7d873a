import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Closed loop: `lanes` callers back to back for `seconds`; completed calls per second. */
export async function maxRate(call: (i: number) => Promise<unknown>, lanes: number, seconds: number): Promise<number> {
  let done = 0;
  let next = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      await call(next++).then(
        () => done++,
        () => undefined,
      );
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return done / ((performance.now() - started) / 1000);
}

/** One minute of the open loop. */
export interface Minute {
  decisions: number;
  latencies: number[];
  errors: number;
  degraded: number;
  /** Calls not made because `maxInFlight` were already waiting (the stack fell behind). */
  shed: number;
}

/**
 * Open loop: one call due every 1/rate s whatever the others do (no coordinated omission), counted
 * in the minute it was due; `onMinute` runs at each minute's end (RSS samples).
 */
export async function openLoop(opts: {
  rate: number;
  minutes: number;
  maxInFlight: number;
  call: (i: number) => Promise<{ degraded: boolean }>;
  onMinute: (index: number) => Promise<void>;
  errorKinds: Record<string, number>;
}): Promise<Minute[]> {
  const minutes: Minute[] = Array.from({ length: opts.minutes }, () => ({
    decisions: 0,
    latencies: [],
    errors: 0,
    degraded: 0,
    shed: 0,
  }));
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const total = Math.floor(opts.rate * opts.minutes * 60);
  let minuteDone = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / opts.rate;
    const m = minutes[Math.min(Math.floor((due - start) / 60_000), opts.minutes - 1)] as Minute;
    while (minuteDone < Math.floor((due - start) / 60_000)) await opts.onMinute(minuteDone++);
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= opts.maxInFlight) {
      m.shed++;
      continue;
    }
    const p: Promise<void> = opts.call(i).then(
      (r) => {
        m.decisions++;
        m.latencies.push(performance.now() - due);
        if (r.degraded) m.degraded++;
      },
      (err: unknown) => {
        m.errors++;
        const kind = err instanceof Error ? `${err.name}: ${err.message.slice(0, 120)}` : String(err);
        opts.errorKinds[kind] = (opts.errorKinds[kind] ?? 0) + 1;
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  while (minuteDone < opts.minutes) await opts.onMinute(minuteDone++);
  return minutes;
}
