import { describe, expect, it } from 'vitest';
import { fanoutRows } from '../../bench/pipeline/fanout';
import { FreshCases, nudged } from '../../bench/pipeline/fresh';
import { openLoop, type Clock } from '../../bench/pipeline/loops';
import { measurePaired, median, pairedResult } from '../../bench/pipeline/paired';
import { parseProcStat } from '../../bench/pipeline/proc';
import { pairedTable } from '../../bench/pipeline/report';
import type { Variant } from '../../bench/pipeline/variants';
import type { DemoCase } from '../../cli/demo-cases';

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A clock that only moves when the loop sleeps (by the time asked plus `overshootMs`) or the test says so. */
function fakeClock(overshootMs = 0): Clock & { advance(ms: number): void } {
  let t = 0;
  return {
    now: () => t,
    // Time passes during the sleep, after whatever was already queued has run.
    sleep: async (ms) => {
      await flush();
      t += ms + overshootMs;
    },
    advance: (ms) => void (t += ms),
  };
}

describe('parseProcStat', () => {
  // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const tail = 'S 1 2 3 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 9 0 42 1000 200';
  it.each([
    ['a plain name', `4242 (node) ${tail}`],
    ['a name with spaces and parentheses', `4242 (tsx (bench) x) ${tail}`],
  ])('reads utime and stime after %s', (_, line) => {
    expect(parseProcStat(line)).toEqual({ utime: 1234, stime: 567 });
  });
  it.each([[''], ['4242 (node) S 1 2']])('gives undefined for %j', (line) => {
    expect(parseProcStat(line)).toBeUndefined();
  });
});

describe('openLoop', () => {
  it('starts every call when it is due, not when earlier calls have answered', async () => {
    const clock = fakeClock();
    const starts: number[] = [];
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const done = openLoop(
      async () => {
        const index = starts.push(clock.now());
        await gate;
        return { degraded: index % 2 === 0 };
      },
      { rate: 10, seconds: 1 },
      clock,
    );
    for (let i = 0; i < 100 && starts.length < 10; i++) await flush();
    // None has answered, yet all ten were started, 100 ms apart.
    expect(starts).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    clock.advance(50);
    release();
    const result = await done;
    // Each latency runs from its due time to the answer at 950 ms.
    expect(result.latencies.sort((a, b) => a - b)).toEqual([50, 150, 250, 350, 450, 550, 650, 750, 850, 950]);
    expect(result).toMatchObject({ calls: 10, errors: 0, degraded: 5 });
  });

  it('counts a late start in the latency (no coordinated omission)', async () => {
    const clock = fakeClock(7); // every sleep wakes 7 ms late, as on a busy event loop
    const result = await openLoop(() => Promise.resolve({ degraded: false }), { rate: 10, seconds: 0.5 }, clock);
    expect(result.latencies).toEqual([0, 7, 7, 7, 7]);
  });

  it('counts failures without latencies', async () => {
    let n = 0;
    const result = await openLoop(
      () => (n++ % 2 ? Promise.reject(new Error('boom')) : Promise.resolve({ degraded: false })),
      { rate: 4, seconds: 1 },
      fakeClock(),
    );
    expect(result).toMatchObject({ calls: 4, errors: 2 });
    expect(result.latencies).toHaveLength(2);
  });
});

describe('FreshCases', () => {
  const input = { age_of_domain: 1, https: 0.5 };
  const cases = [{ caseId: 'c', input, label: 1, sklearnScore: 0.9, reference: {} }] as DemoCase[];

  it('never repeats a case id or an input, whatever the prefix', () => {
    const fresh = new FreshCases('run', cases);
    const drawn = [fresh.next('a'), fresh.next('b'), fresh.next('a'), fresh.next('a')];
    expect(new Set(drawn.map((d) => d.caseId)).size).toBe(4);
    expect(new Set(drawn.map((d) => JSON.stringify(d.input))).size).toBe(4);
    expect(drawn[0]?.caseId).toBe('a-run-0');
  });

  it.each([
    [0, 1],
    [1, 0],
    [99_999, 0.5],
  ])('nudges call %i by under 1e-4, inside [0, 1]', (n, value) => {
    const out = nudged({ age_of_domain: value, https: 1 }, n);
    expect(out.age_of_domain).not.toBe(value);
    expect(Math.abs((out.age_of_domain ?? 0) - value)).toBeLessThanOrEqual(1e-4);
    expect(out.age_of_domain).toBeGreaterThanOrEqual(0);
    expect(out.age_of_domain).toBeLessThanOrEqual(1);
    expect(out.https).toBe(1);
  });
});

describe('fanoutRows', () => {
  it('gives the p50 cost of each member beyond the smallest width', () => {
    const rows = fanoutRows('x', [
      { members: 1, latencies: [10, 10, 12] },
      { members: 5, latencies: [18, 18, 30] },
    ]);
    expect(rows.map((r) => [r.members, r.seqP50Ms, r.msPerExtraMember])).toEqual([
      [1, 10, null],
      [5, 18, 2],
    ]);
  });
});

describe('paired slices', () => {
  const slice = (seqP50Ms: number, perSec: number, cpuMsPerOp: number) => ({ seqP50Ms, perSec, cpuMsPerOp });

  it('takes the true median: the mean of the middle two for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('gives each round the variant ÷ baseline ratios, and the median of each ratio on its own', () => {
    const result = pairedResult('floor', 'arbiter-full', [
      { first: 'floor', baseline: slice(20, 60, 30), variant: slice(40, 30, 60) },
      { first: 'arbiter-full', baseline: slice(25, 50, 25), variant: slice(30, 40, 40) },
      { first: 'floor', baseline: slice(20, 40, 20), variant: slice(50, 36, 44) },
    ]);
    expect(result.rounds.map((r) => r.ratio)).toEqual([
      { seqP50: 2, perSec: 0.5, cpuMsPerOp: 2 },
      { seqP50: 1.2, perSec: 0.8, cpuMsPerOp: 1.6 },
      { seqP50: 2.5, perSec: 0.9, cpuMsPerOp: 2.2 },
    ]);
    // Not one round's ratios: p50 from round 1, rate from round 2, CPU from round 1.
    expect(result.medianRatio).toEqual({ seqP50: 2, perSec: 0.8, cpuMsPerOp: 2 });
    const table = pairedTable(result).split('\n');
    expect(table[0]).toBe(
      '| round (first) | floor p50 / max / CPU | arbiter-full p50 / max / CPU | ÷ floor: p50 | max /s | CPU ms/op |',
    );
    expect(table[3]).toBe('| 2 (arbiter-full) | 25.0 / 50.0 / 25.0 | 30.0 / 40.0 / 40.0 | 1.20 | 0.80 | 1.60 |');
    expect(table.at(-1)).toBe('| median | | | 2.00 | 0.80 | 2.00 |');
  });

  it("runs every variant each round, the order turned by one, each against the same round's baseline slice", async () => {
    const calls: string[] = [];
    const variant = (name: string, ms: number): Variant => ({
      name,
      call: async () => {
        calls.push(name);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return { degraded: false };
      },
    });
    const settings = { rounds: 3, sequential: 3, closedSeconds: 0.05, lanes: 1 };
    const [slow, slower] = await measurePaired(
      variant('floor', 1),
      [variant('arbiter-full', 15), variant('least-decision', 4)],
      settings,
      { bench: process.pid, server: undefined },
      () => undefined,
    );
    // The runs of each name, in order: which ran when.
    const runs = calls.filter((name, i) => name !== calls[i - 1]);
    expect(runs).toEqual([
      ...['floor', 'arbiter-full', 'least-decision'],
      ...['arbiter-full', 'least-decision', 'floor'],
      ...['least-decision', 'floor', 'arbiter-full'],
    ]);
    expect(slow?.variant).toBe('arbiter-full');
    expect(slower?.variant).toBe('least-decision');
    expect(slow?.rounds.map((r) => r.first)).toEqual(['floor', 'arbiter-full', 'least-decision']);
    // Both compare to the baseline's slice of their own round, and a slower call shows as a larger p50.
    expect(slow?.rounds.map((r) => r.baseline)).toEqual(slower?.rounds.map((r) => r.baseline));
    for (const r of slow?.rounds ?? []) expect(r.ratio.seqP50).toBeGreaterThan(1);
  });
});
