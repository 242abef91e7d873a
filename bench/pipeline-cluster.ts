// The pipeline bench on the production shape: the real Temporal server on PostgreSQL
// (scripts/cluster.js) beside the dev server, with decisions served by worker processes — 1, then 2
// orchestrator workers (and as many floor workers) — not by the bench's own process. Both targets
// keep Arbiter's tables in the same PostgreSQL, so the Temporal server is what differs.
// Run: npx tsx bench/pipeline-cluster.ts [--quick] [--target dev|cluster|both] [--workers 1|2|both]. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createModelServices } from '../admin/model-services';
import { openDatabase } from '../admin/database';
import { loadHoldout } from '../cli/demo-cases';
import { loadEnv } from '../config/env';
import { startCluster, stopCluster, type ClusterState } from '../scripts/cluster.js';
import { clusterArgs, clusterTable, type ClusterRow, type Target } from './pipeline/cluster-report';
import { groupsCpuMs, postgresCpuMs } from './pipeline/fleet-cpu';
import { measureOnFleet } from './pipeline/fleet-measure';
import { FreshCases } from './pipeline/fresh';
import { round } from './pipeline/measure';
import { RssPeak } from './pipeline/rss';
import { settingsFrom, type Settings } from './pipeline/settings';
import { applyBenchPipelines } from './pipeline/setup';
import { arbiterVariant, BARE, floorVariant, FULL, type Variant } from './pipeline/variants';
import { startTsxProcess, type BenchProcess } from './stack/processes';
import { BenchStack } from './stack/bench-stack';

const started = performance.now();
const log = (msg: string) =>
  process.stderr.write(
    `[pipeline-cluster ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`,
  );
const load1 = () => round(loadavg()[0] ?? Number.NaN, 2);

/** Floor, bare Arbiter, the demo's full shape: floor not eager, as its worker is in another process. */
function variantsOf(stack: BenchStack, fresh: FreshCases): Variant[] {
  return [
    floorVariant(stack, fresh, 4, false),
    arbiterVariant('arbiter', stack.client, fresh, BARE),
    arbiterVariant('arbiter-full', stack.client, fresh, FULL),
  ];
}

function startFloorWorker(stack: BenchStack, n: number): Promise<BenchProcess> {
  return startTsxProcess({
    name: `floor-worker-${n}`,
    script: join(import.meta.dirname, 'pipeline', 'floor-worker-main.ts'),
    env: { ...process.env, TEMPORAL_ADDRESS: stack.temporalAddress },
    ready: 'floor worker running',
    logPath: join(stack.dataDir, 'logs', `floor-worker-${n}.log`),
  });
}

/** A database of this target's own on the cluster's PostgreSQL. */
async function databaseFor(cluster: ClusterState, target: Target): Promise<string> {
  const name = `arbiter_pipeline_${target}`;
  const admin = await openDatabase(cluster.pgUrl, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(cluster.pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function runTarget(
  target: Target,
  cluster: ClusterState,
  postmaster: number | undefined,
  workerCounts: number[],
  s: Settings,
): Promise<ClusterRow[]> {
  const stack = await BenchStack.start({
    prefix: `arbiter-pipeline-${target}-`,
    workers: workerCounts[0] ?? 1,
    databaseUrl: await databaseFor(cluster, target),
    temporal: target === 'cluster' ? { address: cluster.address, pid: cluster.serverPid } : undefined,
    dbProxy: false,
    log,
  });
  const floors: BenchProcess[] = [];
  const rows: ClusterRow[] = [];
  try {
    const services = createModelServices(stack.db, loadEnv().ARBITER_MODELS_DIR);
    await applyBenchPipelines(services, []).finally(() => services.close());
    const fresh = new FreshCases(randomBytes(4).toString('hex'), await loadHoldout());
    for (const workers of workerCounts) {
      while (stack.slots.filter((sl) => sl.role === 'orchestrator').length < workers) await stack.addOrchestrator();
      while (floors.length < workers) floors.push(await startFloorWorker(stack, floors.length + 1));
      const procs = stack.processes();
      const pids = (roles: string[]) => procs.filter((p) => roles.includes(p.role)).map((p) => p.pid);
      const groups = {
        bench: [process.pid],
        server: pids(['temporal']),
        workers: [...pids(['orchestrator', 'model-pool']), ...floors.flatMap((f) => f.pid ?? [])],
      };
      const cpu = async () => ({ ...(await groupsCpuMs(groups)), postgres: await postgresCpuMs(postmaster) });
      log(`${target}: ${workers} orchestrator + ${workers} floor worker processes; load average ${load1()}`);
      for (const v of variantsOf(stack, fresh)) {
        const rss = {
          orchestrator: pids(['orchestrator']).map((p) => new RssPeak(p)),
          modelPool: pids(['model-pool']).map((p) => new RssPeak(p)),
        };
        const m = await measureOnFleet(v, { ...s, warmUpSeconds: s.quick ? 2 : 5 }, cpu, (msg) =>
          log(`${target} × ${workers} ${msg}`),
        );
        const peakRssMiB = { orchestrator: await highest(rss.orchestrator), modelPool: await highest(rss.modelPool) };
        log(
          `${target} × ${workers} ${v.name}: peak RSS orchestrator ${peakRssMiB.orchestrator} MiB, model pool ${peakRssMiB.modelPool} MiB`,
        );
        rows.push({ target, workers, variant: v.name, ...m, peakRssMiB });
      }
    }
    return rows;
  } finally {
    await Promise.allSettled(floors.map((f) => f.stop()));
    await stack.stop();
    await rm(stack.dataDir, { recursive: true, force: true });
  }
}

/** The highest of the peaks (NaN for none): the process that needed the most memory. */
async function highest(peaks: RssPeak[]): Promise<number> {
  const all = await Promise.all(peaks.map((p) => p.stop()));
  return all.length > 0 ? round(Math.max(...all), 0) : Number.NaN;
}

async function main(): Promise<void> {
  const args = clusterArgs(process.argv.slice(2));
  const s = settingsFrom(args.quick ? ['--quick'] : []);
  const load1Start = load1();
  const dir = await mkdtemp(join(tmpdir(), 'arbiter-pipeline-cluster-'));
  const cluster = await startCluster({ dir, log });
  const rows: ClusterRow[] = [];
  try {
    const postmaster = cluster.pgData
      ? Number((await readFile(join(cluster.pgData, 'postmaster.pid'), 'utf8')).split('\n')[0])
      : undefined;
    for (const target of args.targets) rows.push(...(await runTarget(target, cluster, postmaster, args.workers, s)));
  } finally {
    await stopCluster(dir);
    await rm(dir, { recursive: true, force: true });
  }
  const report = {
    at: new Date().toISOString(),
    load1Start,
    load1End: load1(),
    node: process.version,
    settings: {
      ...s,
      targets: args.targets,
      workers: args.workers,
      totalS: round((performance.now() - started) / 1000),
    },
    rows,
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(
    join(import.meta.dirname, 'results', 'pipeline-cluster.json'),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  process.stdout.write(
    `${clusterTable(rows)}\n\nload average (1 min): ${report.load1Start} at start, ${report.load1End} at end; ${report.settings.totalS} s; node ${report.node}\n`,
  );
}

await main();
