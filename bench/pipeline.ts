// End-to-end latency and throughput of a 4-model fan-out on the embedded stack, beside (a) the
// same models called in-process with Promise.all and (b) a naive Temporal version (one regular
// activity per model, client.workflow.execute). Run: npm run bench:pipeline
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCallModel } from '../activities/call-model';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { installCliRuntime } from '../cli/runtime';
import { startStack, type Stack } from '../cli/stack/stack';
import { PipelinesAdmin } from '../admin/pipelines';
import { percentile } from '../core/stats';
import { isolatedStackEnv, peakRssMb } from './stack-env';

const MODELS = [
  'phishing-gb:champion',
  'phishing-lr:challenger',
  'phishing-tfjs:champion',
  'phishing-iforest:champion',
];
// Decisions per second, open loop. @default 50 (the target rate); BENCH_RATE overrides.
const RATE = Number(process.env.BENCH_RATE ?? 50);
const RATE_SECONDS = 10;
const THROUGHPUT_SECONDS = 10;
const CONCURRENCY = 16;

interface Measured {
  name: string;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  throughput: number;
}

/** Open loop: starts one call every 1/RATE s regardless of how long calls take (no coordinated omission). */
async function atRate(call: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < RATE * RATE_SECONDS; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      call(i).then(
        () => void latencies.push(performance.now() - due),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, errors };
}

/** Closed loop: CONCURRENCY callers back to back for THROUGHPUT_SECONDS; calls per second. */
async function throughputOf(call: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  let next = 0;
  const end = performance.now() + THROUGHPUT_SECONDS * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      await call(next++).catch(() => undefined);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return done / ((performance.now() - started) / 1000);
}

async function measure(name: string, call: (i: number) => Promise<unknown>): Promise<Measured> {
  for (let i = 0; i < 50; i++) await call(-1 - i).catch(() => undefined); // warm up
  const { latencies, errors } = await atRate(call);
  const throughput = await throughputOf(call);
  process.stderr.write(`measured ${name}\n`);
  return {
    name,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors,
    throughput,
  };
}

async function main(): Promise<void> {
  installCliRuntime();
  const { env, dataDir } = await isolatedStackEnv('arbiter-bench-');
  const stack: Stack = await startStack(env);
  const cases: DemoCase[] = await loadHoldout();
  const inputOf = (i: number) => (cases[Math.abs(i) % cases.length] as DemoCase).input;
  const results: Measured[] = [];
  try {
    const { registry, pipelines, runtime } = stack.models;
    await new PipelinesAdmin(pipelines, registry).apply({
      name: 'bench-fanout',
      steps: [
        {
          id: 'all',
          type: 'parallel',
          steps: MODELS.map((model, i) => ({ id: `m${i}`, type: 'model' as const, model })),
        },
        { id: 'out', type: 'combine', method: 'mean', inputs: MODELS.map((_, i) => `m${i}`) },
      ],
      output: 'out',
    });
    const pinned = await Promise.all(
      MODELS.map(async (ref) => {
        const [name = '', alias = ''] = ref.split(':');
        const v = await registry.resolve({ name, alias });
        return { name: v.name, version: v.version };
      }),
    );
    const adapters = await Promise.all(pinned.map((m) => runtime.adapter(m.name, m.version)));

    const run = Date.now().toString(36);
    results.push(
      await measure('Arbiter pipeline (decide: 4 local models, combine, record)', (i) =>
        stack.client.decide({ caseId: `bench-${run}-${i}`, input: inputOf(i) }, { pipeline: 'bench-fanout' }),
      ),
    );
    results.push(
      await measure('(a) in-process Promise.all, no Temporal', (i) =>
        Promise.all(adapters.map((a) => a.predict([inputOf(i)], { deadline: Date.now() + 5000 }))),
      ),
    );
    const naiveConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    const naive = await Worker.create({
      connection: naiveConnection,
      taskQueue: 'bench-naive',
      workflowsPath: join(import.meta.dirname, 'naive-workflow.ts'),
      activities: { callModel: createCallModel({ runtime }) },
    });
    const naiveRun = naive.run();
    try {
      results.push(
        await measure('(b) naive Temporal: 4 regular activities, workflow.execute', (i) =>
          stack.client.temporal.workflow.execute('naiveFanoutWorkflow', {
            taskQueue: 'bench-naive',
            workflowId: `naive-${run}-${i}`,
            args: [pinned, inputOf(i)],
          }),
        ),
      );
    } finally {
      naive.shutdown();
      await naiveRun;
      await naiveConnection.close();
    }
    const worker = process.resourceUsage().maxRSS / 1024;
    const server = await peakRssMb(stack.temporalPid);
    const lines = [
      `| variant | p50 ms | p95 ms | p99 ms | errors | throughput /s |`,
      `| --- | ---: | ---: | ---: | ---: | ---: |`,
      ...results.map(
        (r) =>
          `| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.throughput.toFixed(0)} |`,
      ),
      '',
      `Peak RSS: worker process (worker + embedded PGlite + client) ${worker.toFixed(0)} MiB; Temporal dev server ${server?.toFixed(0) ?? '?'} MiB.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await writeFile(
      join(import.meta.dirname, 'results', 'pipeline.json'),
      `${JSON.stringify({ at: new Date().toISOString(), rate: RATE, concurrency: CONCURRENCY, results, peakRssMb: { worker, server } }, null, 2)}\n`,
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
