// The soak: the chaos bench's stack without faults, decisions open loop at half the stack's measured
// maximum for M minutes, every process's RSS and the p99 sampled each minute. By hand, not in CI.
// Run: npm run bench:soak -- [--minutes 30] [--rate R] [--measure-s 30] [--workers 2]. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { PROJECT_ROOT } from '../config/env';
import { percentile } from '../core/stats';
import { intFlags } from './stack/args';
import { BenchStack } from './stack/bench-stack';
import { maxRate, openLoop } from './soak/rates';
import { rssMb } from './stack-env';

const flags = intFlags({
  minutes: 30,
  rate: 0,
  'measure-s': 30,
  'measure-lanes': 16,
  workers: 2,
  'max-in-flight': 1000,
  'review-timeout-ms': 2000,
});
const log = (msg: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;

async function main(): Promise<number> {
  if (flags.minutes < 1) throw new Error('--minutes must be at least 1');
  const t0 = Date.now();
  const stack = await BenchStack.start({
    prefix: 'arbiter-soak-',
    workers: flags.workers,
    databaseUrl: process.env.DATABASE_URL,
    log,
  });
  let line = '';
  let ok = false;
  try {
    ({ line, ok } = await run(stack, t0));
  } finally {
    await stack.stop();
  }
  await rm(stack.dataDir, { recursive: true, force: true }).catch(() => undefined);
  process.stdout.write(`${line}\n`);
  return ok ? 0 : 1;
}

async function run(stack: BenchStack, t0: number): Promise<{ line: string; ok: boolean }> {
  const cases = await loadHoldout();
  const runId = randomBytes(4).toString('hex');
  const decide = (prefix: string) => (i: number) =>
    stack.client.decide(
      { caseId: `soak-${runId}-${prefix}${i}`, input: (cases[i % cases.length] as DemoCase).input },
      { pipeline: 'demo', review: { timeoutMs: flags['review-timeout-ms'], onTimeout: 'approve' } },
    );
  const loadStart = loadavg();
  let max: number | undefined;
  let rate = flags.rate;
  if (!rate) {
    await maxRate(decide('warm-'), 4, 10);
    max = await maxRate(decide('max-'), flags['measure-lanes'], flags['measure-s']);
    rate = max / 2;
    log(
      `measured maximum ${round(max)} decisions/s (${flags['measure-lanes']} callers, ${flags['measure-s']} s); soaking at ${round(rate)}/s`,
    );
  }
  const samples: { minute: number; loadavg: number[]; rssMb: Record<string, number | undefined> }[] = [];
  const errorKinds: Record<string, number> = {};
  const minutes = await openLoop({
    rate,
    minutes: flags.minutes,
    maxInFlight: flags['max-in-flight'],
    call: decide(''),
    errorKinds,
    onMinute: async (index) => {
      const rss: Record<string, number | undefined> = {};
      for (const p of stack.processes()) rss[p.name] = round((await rssMb(p.pid)) ?? Number.NaN, 0);
      samples.push({ minute: index + 1, loadavg: loadavg().map((n) => round(n, 2)), rssMb: rss });
      log(
        `minute ${index + 1}: rss ${Object.entries(rss)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} MiB; load ${loadavg()[0]?.toFixed(2)}`,
      );
    },
  });
  const perMinute = minutes.map((m, i) => ({
    minute: i + 1,
    decisions: m.decisions,
    p50ms: round(percentile(m.latencies, 50)),
    p99ms: round(percentile(m.latencies, 99)),
    errors: m.errors,
    degraded: m.degraded,
    shed: m.shed,
  }));
  // Growth from the end of minute 5 (start-up and warm caches behind us) to the end; shorter soaks use minute 1.
  const from = samples[Math.min(flags.minutes >= 6 ? 4 : 0, samples.length - 1)];
  const to = samples[samples.length - 1];
  const growth: Record<string, number | undefined> = {};
  let fromTotal = 0;
  let toTotal = 0;
  for (const [name, mb] of Object.entries(to?.rssMb ?? {})) {
    const before = from?.rssMb[name];
    if (mb === undefined || before === undefined || !Number.isFinite(mb) || !Number.isFinite(before)) continue;
    growth[name] = round(((mb - before) / before) * 100);
    fromTotal += before;
    toTotal += mb;
  }
  const totalGrowth = fromTotal ? round(((toTotal - fromTotal) / fromTotal) * 100) : Number.NaN;
  const sum = (k: 'decisions' | 'errors' | 'degraded' | 'shed') => perMinute.reduce((a, m) => a + m[k], 0);
  const last = perMinute[perMinute.length - 1];
  await stack.sampleCpu();
  const report = {
    settings: { ...flags, rate: round(rate, 2), database: process.env.DATABASE_URL ? 'postgresql' : 'pglite', runId },
    measuredMaxPerS: max === undefined ? null : round(max, 2),
    totals: { decisions: sum('decisions'), errors: sum('errors'), degraded: sum('degraded'), shed: sum('shed') },
    errorKinds,
    memoryGrowthPct: { fromMinute: from?.minute, toMinute: to?.minute, total: totalGrowth, byProcess: growth },
    perMinute,
    rssSamples: samples,
    loadAverage: { start: loadStart, end: loadavg() },
    cpuSeconds: stack.cpuSecondsByRole(),
    unexpectedExits: stack.slots.flatMap((s) => s.unexpected),
    totalS: round((Date.now() - t0) / 1000),
  };
  await mkdir(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(join(PROJECT_ROOT, 'bench', 'results', 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const m of perMinute)
    log(
      `minute ${m.minute}: ${m.decisions} decided, p50 ${m.p50ms} ms, p99 ${m.p99ms} ms, ${m.errors} errors, ${m.degraded} degraded, ${m.shed} shed`,
    );
  for (const [kind, n] of Object.entries(errorKinds)) log(`${n} × ${kind}`);
  log(
    `load average ${loadStart.map((n) => n.toFixed(2)).join(' ')} → ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}; results in bench/results/soak.json`,
  );
  const t = report.totals;
  const line =
    `soak: ${flags.minutes} min at ${round(rate)}/s: ${t.decisions} decided, ${t.errors} errors, ${t.shed} shed, ` +
    `${t.degraded} degraded, p99 ${last?.p99ms} ms in the last minute, memory ${totalGrowth >= 0 ? '+' : ''}${totalGrowth} % ` +
    `(minute ${from?.minute} to ${to?.minute})`;
  return { line, ok: t.errors === 0 && t.shed === 0 && totalGrowth < 10 };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
