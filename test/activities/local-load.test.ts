import { describe, expect, it } from 'vitest';
import { LocalLoad } from '../../activities/local-load';

/** A clock the test moves by hand. */
function handClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** One local call of `model` that takes `ms` on the hand clock. */
function call(load: LocalLoad, clock: ReturnType<typeof handClock>, model: string, ms: number) {
  return load.track(model, () => {
    clock.advance(ms);
    return Promise.resolve();
  });
}

describe('LocalLoad (auto placement)', () => {
  it('admits a model never measured, and declines one whose recent local latency is over the limit', async () => {
    const clock = handClock();
    const load = new LocalLoad({ maxLatencyMs: 50, now: clock.now });
    expect(load.admits('iforest')).toBe(true);
    await call(load, clock, 'iforest', 120);
    expect(load.admits('iforest')).toBe(false);
    // Other models are measured on their own.
    expect(load.admits('gb')).toBe(true);
  });

  it('forgets an average no local call has renewed for staleAfterMs, so a declined model is measured again', async () => {
    const clock = handClock();
    const load = new LocalLoad({ maxLatencyMs: 50, staleAfterMs: 1000, now: clock.now });
    await call(load, clock, 'iforest', 120);
    // Within the window the average stands: a slow model under steady use is not let back in.
    clock.advance(1000);
    expect(load.admits('iforest')).toBe(false);
    clock.advance(1);
    // Stale: the burst that made it slow is over as far as anyone can tell; the next call measures it.
    expect(load.admits('iforest')).toBe(true);
    await call(load, clock, 'iforest', 2);
    expect(load.admits('iforest')).toBe(true);
    expect(load.snapshot().iforest?.ewmaMs).toBe(2);
    // Still slow when measured again: declined again, for another window.
    await call(load, clock, 'iforest', 300);
    expect(load.admits('iforest')).toBe(false);
  });

  it('declines while maxInFlight calls of the model run here, whatever their latency', async () => {
    const clock = handClock();
    const load = new LocalLoad({ maxInFlight: 1, now: clock.now });
    let release: () => void = () => undefined;
    const held = load.track('gb', () => new Promise<void>((r) => (release = r)));
    expect(load.admits('gb')).toBe(false);
    release();
    await held;
    expect(load.admits('gb')).toBe(true);
  });
});
