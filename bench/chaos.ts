// The chaos bench: N decisions through the production-shaped stack (worker processes, a model pool,
// the Temporal dev server, PostgreSQL) while worker processes and the dev server are killed with
// SIGKILL and the database goes away for a while; then every case is checked in the decision log
// and in Temporal. Run: npm run bench:chaos -- [--decisions 1000] [--kills 6] [--db-outage-s 30]
// [--concurrency 32] [--workers 2] [--drain-timeout-s 180] [--seed N] [--target dev|cluster].
// `--target cluster` runs on the real Temporal server on PostgreSQL (scripts/cluster.js, started and
// stopped here); only worker processes and the database fail there, the server is not killed. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../admin/database';
import { loadHoldout } from '../cli/demo-cases';
import { PROJECT_ROOT } from '../config/env';
import { percentile } from '../core/stats';
import { drain, failurePath, rowsPerCase, stuckPath, verdictOf, type Verdict } from './chaos/check';
import { seededRandom } from '../core/lab/random';
import { planFaults, runFaults, type FaultRecord } from './chaos/faults';
import { runLoad } from './chaos/load';
import { intFlags, takeStringFlag } from './stack/args';
import { startCluster, stopCluster, type ClusterState } from '../scripts/cluster.js';
import { BenchStack } from './stack/bench-stack';
import { peakRssMb } from './stack-env';

const { value: target = 'dev', rest: argv } = takeStringFlag('target');
if (target !== 'dev' && target !== 'cluster') throw new Error(`--target must be dev or cluster, got '${target}'`);
const flags = intFlags(
  {
    decisions: 1000,
    kills: 6,
    'db-outage-s': 30,
    concurrency: 32,
    workers: 2,
    'drain-timeout-s': 180,
    'wait-timeout-s': 120,
    'review-timeout-ms': 2000,
    'fault-gap-s': 5,
    seed: Math.floor(Math.random() * 2 ** 31),
  },
  argv,
);
const log = (msg: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function main(): Promise<number> {
  const t0 = Date.now();
  const load: number[][] = [loadavg()];
  const sampler = setInterval(() => load.push(loadavg()), 10_000);
  const cluster = target === 'cluster' ? await startChaosCluster() : undefined;
  let counts: Record<Verdict, number> | undefined;
  try {
    const stack = await BenchStack.start({
      prefix: 'arbiter-chaos-',
      workers: flags.workers,
      databaseUrl: cluster?.databaseUrl ?? process.env.DATABASE_URL,
      temporal: cluster ? { address: cluster.state.address, pid: cluster.state.serverPid } : undefined,
      log,
    });
    try {
      counts = await run(stack, t0, load);
    } finally {
      await stack.stop();
    }
    const bad = counts.duplicates + counts.stuck + counts.failed + counts.lost;
    if (bad === 0) await rm(stack.dataDir, { recursive: true, force: true }).catch(() => undefined);
    else log(`logs and data kept in ${stack.dataDir}`);
  } finally {
    clearInterval(sampler);
    if (cluster) await stopCluster(cluster.state.dir);
    if (cluster && counts) await rm(cluster.state.dir, { recursive: true, force: true });
  }
  const bad = counts.duplicates + counts.stuck + counts.failed + counts.lost;
  // The last line, after every process has stopped: CI and people read only this.
  process.stdout.write(
    `chaos${target === 'cluster' ? ' (cluster)' : ''}: ${counts.decidedOnce} decided once, ${counts.duplicates} duplicates, ${counts.stuck} stuck, ${counts.failed} failed, ${counts.lost} lost\n`,
  );
  return bad === 0 ? 0 : 1;
}

/** The real Temporal server on a PostgreSQL of its own; Arbiter's database beside it unless DATABASE_URL names one. */
async function startChaosCluster(): Promise<{ state: ClusterState; databaseUrl: string }> {
  const state = await startCluster({ dir: await mkdtemp(join(tmpdir(), 'arbiter-chaos-cluster-')), log });
  if (process.env.DATABASE_URL) return { state, databaseUrl: process.env.DATABASE_URL };
  const admin = await openDatabase(state.pgUrl, { max: 1 });
  await admin.query('CREATE DATABASE arbiter_chaos');
  await admin.end();
  const url = new URL(state.pgUrl);
  url.pathname = '/arbiter_chaos';
  return { state, databaseUrl: url.toString() };
}

async function run(stack: BenchStack, t0: number, load: number[][]): Promise<Record<Verdict, number>> {
  const random = seededRandom(flags.seed);
  const cases = await loadHoldout();
  const runId = randomBytes(4).toString('hex');
  const caseIds = Array.from({ length: flags.decisions }, (_, i) => `chaos-${runId}-${i}`);
  const ids = caseIds.map((c) => `decision-${c}`);
  const stackReady = Date.now();
  log(`stack up in ${seconds(stackReady - t0)} s; ${flags.decisions} decisions, seed ${flags.seed}`);

  const { progress, done } = runLoad({
    client: stack.client,
    cases,
    caseIds,
    concurrency: flags.concurrency,
    decide: { pipeline: 'demo', review: { timeoutMs: flags['review-timeout-ms'], onTimeout: 'approve' } },
    waitTimeoutMs: flags['wait-timeout-s'] * 1000,
  });
  let loadEnded = false;
  void done.finally(() => (loadEnded = true));
  const ticker = setInterval(
    () => log(`started ${progress.started}, closed ${progress.closed}, retries ${progress.retries}`),
    10_000,
  );
  const plan = planFaults(flags.kills, flags['db-outage-s'], random, target === 'dev');
  let faults: FaultRecord[] = [];
  try {
    [faults] = await Promise.all([
      runFaults({
        plan,
        stack,
        progress,
        total: flags.decisions,
        loadDone: () => loadEnded,
        outageS: flags['db-outage-s'],
        gapMs: flags['fault-gap-s'] * 1000,
        random,
        t0: stackReady,
        log,
      }),
      done,
    ]);
  } finally {
    clearInterval(ticker);
  }
  const loadEnd = Date.now();
  log(`load over in ${seconds(loadEnd - stackReady)} s; draining`);

  const temporal = stack.client.temporal;
  const statuses = await drain(temporal, ids, flags['drain-timeout-s'] * 1000, log);
  const drainEnd = Date.now();
  const rows = await rowsPerCase(stack.db, caseIds);
  const counts: Record<Verdict, number> = { decidedOnce: 0, duplicates: 0, stuck: 0, failed: 0, lost: 0 };
  const reasons: Record<string, number> = {};
  const paths: Record<string, { count: number; example: string }> = {};
  let detailed = 0;
  for (const [i, id] of ids.entries()) {
    const { verdict, why } = verdictOf(rows.get(caseIds[i] as string) ?? 0, statuses.get(id) ?? 'UNKNOWN');
    counts[verdict]++;
    if (!why) continue;
    reasons[`${verdict}: ${why}`] = (reasons[`${verdict}: ${why}`] ?? 0) + 1;
    // Which path each failure took, read from Temporal (at most 200 looked at).
    if ((verdict === 'failed' || verdict === 'stuck') && detailed++ < 200) {
      const path = `${verdict}: ${verdict === 'failed' ? await failurePath(temporal, id) : await stuckPath(temporal, id)}`;
      const key = path.replace(/\d+/g, 'N');
      paths[key] = { count: (paths[key]?.count ?? 0) + 1, example: paths[key]?.example ?? `${id}: ${path}` };
    }
  }
  load.push(loadavg());
  await stack.sampleCpu();
  const peakRss: Record<string, number | undefined> = {};
  for (const p of stack.processes()) peakRss[p.name] = Math.round((await peakRssMb(p.pid)) ?? Number.NaN);
  const report = {
    settings: {
      ...flags,
      target,
      database: target === 'cluster' || process.env.DATABASE_URL ? 'postgresql' : 'pglite',
      pipeline: 'demo',
      runId,
    },
    counts,
    reasons,
    failurePaths: paths,
    faults,
    client: {
      started: progress.started,
      closed: progress.closed,
      failedSeen: progress.failedSeen,
      gaveUp: progress.gaveUp,
      retries: progress.retries,
      p50ms: Math.round(percentile(progress.latencies, 50)),
      p99ms: Math.round(percentile(progress.latencies, 99)),
    },
    timingsS: {
      stackStart: seconds(stackReady - t0),
      load: seconds(loadEnd - stackReady),
      drain: seconds(drainEnd - loadEnd),
      total: seconds(Date.now() - t0),
    },
    decisionsPerS: Math.round((progress.closed / ((loadEnd - stackReady) / 1000)) * 10) / 10,
    loadAverage: { start: load[0], end: load[load.length - 1], max1m: Math.max(...load.map((l) => l[0] ?? 0)) },
    cpuSeconds: stack.cpuSecondsByRole(),
    peakRssMb: peakRss,
    restarts: Object.fromEntries(stack.slots.map((s) => [s.name, s.restarts])),
    unexpectedExits: stack.slots.flatMap((s) => s.unexpected),
    dataDir: stack.dataDir,
  };
  await mkdir(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  const resultsFile = target === 'cluster' ? 'chaos-cluster.json' : 'chaos.json';
  await writeFile(join(PROJECT_ROOT, 'bench', 'results', resultsFile), `${JSON.stringify(report, null, 2)}\n`);
  for (const [path, { count, example }] of Object.entries(paths)) log(`${count} × ${path}\n    e.g. ${example}`);
  for (const [why, n] of Object.entries(reasons)) log(`${n} × ${why}`);
  log(
    `load average ${report.loadAverage.start?.map((n) => n.toFixed(2)).join(' ')} → ${report.loadAverage.end?.map((n) => n.toFixed(2)).join(' ')}; results in bench/results/${resultsFile}`,
  );
  return counts;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
