// One decision's cost, side by side on one embedded stack: Temporal's own floor for this shape, the
// demo's work in it with none of Arbiter's code, Arbiter (the bare pipeline, and the demo's full
// shape), a naive Temporal version and the models in-process.
// Every call of every phase decides a fresh case id. Run: npm run bench:pipeline [-- --quick]. See README.
import { ArbiterClient } from '../client/arbiter-client';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadHoldout } from '../cli/demo-cases';
import { installCliRuntime } from '../cli/runtime';
import { startStack, type Stack } from '../cli/stack/stack';
import type { PinnedModel } from '../core/model-ref';
import { checkEager } from './pipeline/eager';
import { measureFanout, type FanoutRow } from './pipeline/fanout';
import { FreshCases } from './pipeline/fresh';
import { timeline } from './pipeline/history';
import { measureVariant, round, type VariantDetail, type VariantResult } from './pipeline/measure';
import { leastDecisionVariant } from './pipeline/least-decision';
import { measurePaired } from './pipeline/paired';
import { fanoutTable, pairedTable, variantsTable } from './pipeline/report';
import { settingsFrom, type Settings } from './pipeline/settings';
import { applyBenchPipelines, fanoutName, pinModels, startBenchWorkers } from './pipeline/setup';
import {
  arbiterVariant,
  BARE,
  floorVariant,
  FULL,
  inProcessVariant,
  naiveVariant,
  type Variant,
} from './pipeline/variants';
import { isolatedStackEnv } from './stack-env';

const started = performance.now();
const log = (msg: string) =>
  process.stderr.write(`[pipeline ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
const load1 = () => round(loadavg()[0] ?? Number.NaN, 2);

async function variantsOf(stack: Stack, fresh: FreshCases, models: PinnedModel[]): Promise<Variant[]> {
  const handed = () => stack.answers.handed;
  return [
    floorVariant(stack, fresh),
    // The floor of any decision with an audit trail: its record can only start once its models answered.
    floorVariant(stack, fresh, 4, true, 2),
    // The demo's work (its model calls, search, record, vector) in that shape, none of Arbiter's code.
    leastDecisionVariant(stack, fresh),
    arbiterVariant('arbiter', stack.client, fresh, BARE, handed),
    arbiterVariant('arbiter-full', stack.client, fresh, FULL, handed),
    // The same decisions by a client that does not share the worker's process (another process, the
    // cluster): update-with-start, pinned in the workflow. Side by side, what the in-process path saves.
    arbiterVariant('arbiter-full-server', serverPathClient(stack), fresh, FULL),
    naiveVariant(stack, fresh, models),
    await inProcessVariant(stack, fresh, models),
  ];
}

/** A client on the stack's connection without its answer desk and pinner: every decision through the server. */
function serverPathClient(stack: Stack): ArbiterClient {
  return new ArbiterClient(stack.client.temporal, {
    taskQueue: stack.client.taskQueue,
    caseLimits: stack.client.caseLimits,
  });
}

async function fanoutOf(stack: Stack, fresh: FreshCases, s: Settings): Promise<FanoutRow[]> {
  const arbiterOf = (n: number) =>
    arbiterVariant(`arbiter-${n}`, stack.client, fresh, { ...BARE, pipeline: fanoutName(n) });
  return [
    ...(await measureFanout('arbiter', arbiterOf, s.fanoutSizes, s.fanout, log)),
    ...(await measureFanout('floor', (n) => floorVariant(stack, fresh, n), s.fanoutSizes, s.fanout, log)),
  ];
}

/** One bare decision's history, to show where its time goes, and what its own timings say. */
async function probeArbiter(stack: Stack, fresh: FreshCases) {
  const probe = await stack.client.decide(fresh.next('arbiter-probe'), { pipeline: BARE.pipeline });
  const events = await timeline(stack.client.temporal, probe.workflowId, 40);
  return { latencyMs: probe.latencyMs, timings: probe.timings, timeline: events };
}

async function run(stack: Stack, s: Settings, load1Start: number, stackTraces: boolean) {
  await applyBenchPipelines(stack.models, s.fanoutSizes);
  const models = await pinModels(stack);
  const fresh = new FreshCases(randomBytes(4).toString('hex'), await loadHoldout());
  const pids = { bench: process.pid, server: stack.temporalPid };
  const workers = await startBenchWorkers(stack, { stackTraces });
  try {
    log(`stack up; load average ${load1Start}; ${s.quick ? 'quick' : 'default'} settings`);
    const eager = await checkEager(stack, fresh, s);
    log(
      `eager start: first task waited ${JSON.stringify(eager.firstTaskWaitMs)} ms; p50 ${JSON.stringify(eager.seqP50Ms)}`,
    );
    const variants: VariantResult[] = [];
    const details: VariantDetail[] = [];
    for (const v of await variantsOf(stack, fresh, models)) {
      const { result, detail } = await measureVariant(v, s, pids, log);
      variants.push(result);
      details.push(detail);
    }
    const arbiterProbe = await probeArbiter(stack, fresh);
    const fanout = await fanoutOf(stack, fresh, s);
    // The targets' ratios once more, floor, arbiter-full and least-decision in turn (see paired.ts).
    const [paired, pairedLeastDecision] = await measurePaired(
      floorVariant(stack, fresh),
      [arbiterVariant('arbiter-full', stack.client, fresh, FULL), leastDecisionVariant(stack, fresh)],
      { ...s.paired, lanes: s.lanes },
      pids,
      log,
    );
    if (!paired || !pairedLeastDecision) throw new Error('the paired section measured no rounds');
    // Decisions sent to review wait for a person (24 h by default): they stay open, and in the worker's cache.
    const workflowsStillOpen = await stack.client.temporal.workflow.count('ExecutionStatus="Running"').then(
      (c) => c.count,
      () => null,
    );
    const notes = { settings: s, totalS: round((performance.now() - started) / 1000), details, eager };
    return {
      at: new Date().toISOString(),
      load1: load1Start,
      load1End: load1(),
      variants,
      fanout,
      paired,
      pairedLeastDecision,
      notes: { ...notes, workflowsStillOpen, arbiterProbe },
    };
  } finally {
    await workers.stop();
  }
}

async function main(): Promise<void> {
  const settings = settingsFrom();
  installCliRuntime();
  const load1Start = load1();
  const { env, dataDir } = await isolatedStackEnv('arbiter-bench-');
  const stack = await startStack(env);
  try {
    const report = await run(stack, settings, load1Start, env.ARBITER_WORKFLOW_STACK_TRACES);
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(join(import.meta.dirname, 'results', 'pipeline.json'), `${JSON.stringify(report, null, 2)}\n`);
    const lines = [variantsTable(report.variants), '', fanoutTable(report.fanout), ''];
    lines.push(pairedTable(report.paired), '', pairedTable(report.pairedLeastDecision), '');
    lines.push(`load average (1 min): ${report.load1} at start, ${report.load1End} at end; ${report.notes.totalS} s`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
