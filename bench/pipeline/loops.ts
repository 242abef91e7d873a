import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the load loops see it; tests pass a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** What the loops need from one call's result: whether the answer was degraded (Arbiter's flag). */
export interface CallOutcome {
  degraded: boolean;
}

/** One call after another, `count` times: each call's latency in ms and its result. */
export async function sequential<T>(
  call: () => Promise<T>,
  count: number,
  clock: Clock = realClock,
): Promise<{ latencies: number[]; results: T[] }> {
  const latencies: number[] = [];
  const results: T[] = [];
  for (let i = 0; i < count; i++) {
    const started = clock.now();
    results.push(await call());
    latencies.push(clock.now() - started);
  }
  return { latencies, results };
}

/**
 * Closed loop: `lanes` callers back to back until `seconds` have passed; calls started before the
 * end are waited for and counted, and the rate is over the time until the last of them answered.
 */
export async function closedLoop(
  call: () => Promise<unknown>,
  opts: { lanes: number; seconds: number },
  clock: Clock = realClock,
): Promise<{ completed: number; errors: number; seconds: number; perSec: number }> {
  let completed = 0;
  let errors = 0;
  const started = clock.now();
  const end = started + opts.seconds * 1000;
  const lane = async () => {
    while (clock.now() < end) {
      await call().then(
        () => void completed++,
        () => void errors++,
      );
    }
  };
  await Promise.all(Array.from({ length: opts.lanes }, lane));
  const seconds = (clock.now() - started) / 1000;
  return { completed, errors, seconds, perSec: completed / seconds };
}

/**
 * Open loop: call i is due at start + i/rate s and is started then whatever earlier calls are doing,
 * and its latency runs from when it was due, not from when the loop got round to it: a stalled
 * caller shows up in the latencies instead of hiding them (no coordinated omission).
 */
export async function openLoop(
  call: () => Promise<CallOutcome>,
  opts: { rate: number; seconds: number },
  clock: Clock = realClock,
): Promise<{ latencies: number[]; errors: number; degraded: number; calls: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let degraded = 0;
  const inFlight: Promise<void>[] = [];
  const calls = Math.max(1, Math.floor(opts.rate * opts.seconds));
  const start = clock.now();
  for (let i = 0; i < calls; i++) {
    const due = start + (i * 1000) / opts.rate;
    const wait = due - clock.now();
    if (wait > 0) await clock.sleep(wait);
    inFlight.push(
      call().then(
        (outcome) => {
          latencies.push(clock.now() - due);
          if (outcome.degraded) degraded++;
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, errors, degraded, calls };
}
