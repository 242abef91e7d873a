// Batch decisioning end to end on the embedded stack: a 100k-case NDJSON (held-out demo cases,
// resampled, unique ids) through the demo pipeline in one batch workflow, decisions recorded.
// Reports decisions/s, the activities' time per phase, per-model call time and peak memory.
// Run: npm run bench:batch. Knobs: BENCH_CASES, BENCH_CHUNK_SIZE, BENCH_PARALLEL_CHUNKS,
// BENCH_SWEEP="250,500,1000,2000" (chunk sizes over BENCH_SWEEP_CASES), BENCH_DATABASE_URL.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadHoldout } from '../cli/demo-cases';
import { installCliRuntime } from '../cli/runtime';
import { startStack, type Stack } from '../cli/stack/stack';
import { BatchClient } from '../client/batch';
import type { BatchProgress } from '../core/batch/progress';
import { isolatedStackEnv, peakRssMb } from './stack-env';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const CHUNK = Number(process.env.BENCH_CHUNK_SIZE ?? 1000);
const PARALLEL = Number(process.env.BENCH_PARALLEL_CHUNKS ?? 2);
const SWEEP = (process.env.BENCH_SWEEP ?? '').split(',').filter(Boolean).map(Number);
const SWEEP_CASES = Number(process.env.BENCH_SWEEP_CASES ?? 20_000);

interface Run {
  label: string;
  cases: number;
  chunkSize: number;
  decided: number;
  seconds: number;
  decisionsPerSec: number;
  /** Activity time summed over chunks, seconds (reads overlap scoring). */
  phases: { read: number; score: number; record: number; temporalAndIdle: number };
  /** Batched model-call time per model, seconds (parallel members overlap). */
  models: Record<string, number>;
  cpu: { workerProcess: number; temporalServer: number | undefined };
  outcomes: BatchProgress['byOutcome'];
}

/** A resampled NDJSON of held-out cases with unique ids (a fixed seed: every run reads the same file). */
async function writeCases(path: string, n: number): Promise<void> {
  const holdout = await loadHoldout();
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const lines = Array.from({ length: n }, (_, i) => {
    const c = holdout[Math.floor(next() * holdout.length)] ?? holdout[0];
    return JSON.stringify({ caseId: `bench-${i}`, input: c?.input });
  });
  await writeFile(path, `${lines.join('\n')}\n`);
}

async function procStat(pid: number | undefined): Promise<{ cpu: number; rssMb: number } | undefined> {
  if (!pid) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime + stime
  return { cpu: ticks / 100, rssMb: (await peakRssMb(pid)) ?? Number.NaN };
}

async function modelSeconds(stack: Stack, batchId: string): Promise<Record<string, number>> {
  const { rows } = await stack.pool.query<{ model: string; ms: number }>(
    `SELECT c->>'model' AS model, sum((c->>'latencyMs')::float8) AS ms
     FROM batch_chunks, jsonb_array_elements(calls) c WHERE batch_id = $1 GROUP BY 1 ORDER BY 1`,
    [batchId],
  );
  return Object.fromEntries(rows.map((r) => [r.model, Math.round(r.ms) / 1000]));
}

async function runBatch(stack: Stack, label: string, path: string, cases: number, chunkSize: number): Promise<Run> {
  const batches = new BatchClient(stack.client.temporal, stack.client.taskQueue);
  const cpu0 = process.cpuUsage();
  const server0 = await procStat(stack.temporalPid);
  const started = performance.now();
  const { batchId } = await batches.start({
    source: { kind: 'file', path },
    pipeline: 'demo',
    chunkSize,
    parallelChunks: PARALLEL,
  });
  const done = await batches.wait(batchId, () => undefined, 1000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const server1 = await procStat(stack.temporalPid);
  if (done.state !== 'done' || done.decided !== cases)
    throw new Error(`batch ended ${done.state}: ${JSON.stringify(done)}`);
  const t = done.timings;
  const round = (ms: number) => Math.round(ms) / 1000;
  const run: Run = {
    label,
    cases,
    chunkSize,
    decided: done.decided,
    seconds: Math.round(seconds * 100) / 100,
    decisionsPerSec: Math.round(done.decided / seconds),
    phases: {
      read: round(t.readMs),
      score: round(t.scoreMs),
      record: round(t.recordMs),
      temporalAndIdle: round(seconds * 1000 - t.scoreMs - t.recordMs),
    },
    models: await modelSeconds(stack, batchId),
    cpu: {
      workerProcess: Math.round((cpu.user + cpu.system) / 1e4) / 100,
      temporalServer: server0 && server1 ? Math.round((server1.cpu - server0.cpu) * 100) / 100 : undefined,
    },
    outcomes: done.byOutcome,
  };
  process.stderr.write(`${label}: ${JSON.stringify(run)}\n`);
  return run;
}

function table(runs: readonly Run[]): string[] {
  return [
    '| run | cases | chunk | seconds | decisions/s | read s | score s | record s | other s | CPU worker s | CPU server s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${r.cases} | ${r.chunkSize} | ${r.seconds} | ${r.decisionsPerSec} | ${r.phases.read} | ${r.phases.score} | ${r.phases.record} | ${r.phases.temporalAndIdle} | ${r.cpu.workerProcess} | ${r.cpu.temporalServer ?? '?'} |`,
    ),
  ];
}

async function main(): Promise<void> {
  installCliRuntime();
  // BENCH_DATABASE_URL: a real PostgreSQL instead of the embedded PGlite, to see what the log costs there.
  const { env, dataDir } = await isolatedStackEnv('arbiter-bench-batch-', process.env.BENCH_DATABASE_URL ?? '');
  const big = join(dataDir, 'cases.ndjson');
  const small = join(dataDir, 'sweep.ndjson');
  const warm = join(dataDir, 'warm-up.ndjson');
  await Promise.all([
    writeCases(big, CASES),
    writeCases(warm, 2000),
    SWEEP.length ? writeCases(small, SWEEP_CASES) : undefined,
  ]);
  const stack = await startStack(env);
  const runs: Run[] = [];
  try {
    await runBatch(stack, 'warm-up', warm, 2000, CHUNK);
    for (const size of SWEEP) runs.push(await runBatch(stack, `sweep ${size}`, small, SWEEP_CASES, size));
    runs.push(await runBatch(stack, 'main', big, CASES, CHUNK));
    const worker = process.resourceUsage().maxRSS / 1024;
    const server = (await procStat(stack.temporalPid))?.rssMb;
    const main = runs.at(-1) as Run;
    const lines = [
      ...table(runs),
      '',
      `Model call time in the main run (s, summed over chunks): ${Object.entries(main.models)
        .map(([m, s]) => `${m} ${s}`)
        .join(', ')}.`,
      `Peak RSS: worker process (worker + embedded PGlite + client) ${worker.toFixed(0)} MiB; Temporal dev server ${server?.toFixed(0) ?? '?'} MiB.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await writeFile(
      join(import.meta.dirname, 'results', 'batch.json'),
      `${JSON.stringify({ at: new Date().toISOString(), cases: CASES, chunkSize: CHUNK, parallelChunks: PARALLEL, runs, peakRssMb: { worker, server } }, null, 2)}\n`,
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
