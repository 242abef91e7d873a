import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { ArbiterClient } from '../client';
import type { DecisionResult } from '../core/decision';
import { percentile } from '../core/stats';
import { DEFAULT_METRICS_PORT, type ArbiterEnv } from '../config/env';
import { loadHoldout, type DemoCase } from './demo-cases';
import { reportAgainstTruth } from './demo-feedback';
import { floorMedianMs } from './demo-floor';
import { printStackInfo } from './dev';
import { table } from './output';
import { untilInterrupted } from './runtime';
import { startCliMetrics } from './metrics';
import { startStack } from './stack/stack';

export interface DemoOptions {
  /** Exit after the table instead of serving until Ctrl-C. @default false */
  once: boolean;
  /** @default 50 */
  count: number;
  /** Decisions in flight at once. @default 1 */
  concurrency: number;
}

interface Row {
  demoCase: DemoCase;
  result: DecisionResult;
  latencyMs: number;
}

const say = (msg: string) => process.stderr.write(`${msg}\n`);

/** Submits held-out cases through the real client, `concurrency` at a time, with a progress bar. */
async function submitAll(client: ArbiterClient, cases: DemoCase[], runTag: string, concurrency: number) {
  const bar = new cliProgress.SingleBar(
    { format: 'deciding [{bar}] {value}/{total} cases', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(cases.length, 0);
  const rows: Row[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const demoCase = cases[i] as DemoCase;
      const started = performance.now();
      // A fresh id per run: each demo run makes real decisions instead of returning earlier ones.
      const result = await client.decide({ caseId: `${demoCase.caseId}-${runTag}`, input: demoCase.input });
      rows[i] = { demoCase, result, latencyMs: performance.now() - started };
      bar.increment();
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    bar.stop();
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const t = table(['case', 'outcome', 'score', 'truth', 'latency ms']);
  for (const { demoCase, result, latencyMs } of rows) {
    const truth = demoCase.label === 1 ? 'phishing' : 'legitimate';
    t.push([result.caseId, result.outcome, result.score.toFixed(3), truth, latencyMs.toFixed(1)]);
  }
  process.stdout.write(`${t.toString()}\n`);
}

function printSummary(rows: Row[], floorMs: number): void {
  const latencies = rows.map((r) => r.latencyMs);
  const count = (o: string) => rows.filter((r) => r.result.outcome === o).length;
  const automated = rows.filter((r) => r.result.outcome !== 'review');
  const right = automated.filter((r) => (r.result.outcome === 'decline') === (r.demoCase.label === 1)).length;
  process.stdout.write(
    `${rows.length} decisions: ${count('approve')} approve, ${count('decline')} decline, ${count('review')} review\n` +
      `latency ms: median ${percentile(latencies, 50).toFixed(1)}, p99 ${percentile(latencies, 99).toFixed(1)}; ` +
      `Temporal's floor on this stack ${floorMs.toFixed(1)} (eager start + 4 no-op local activities)\n` +
      `pipeline ${rows[0]?.result.pipeline.name ?? '?'}@${rows[0]?.result.pipeline.version ?? '?'}, ` +
      `${rows.filter((r) => r.result.degraded).length} degraded\n` +
      `automated decisions matching the true label: ${right}/${automated.length}\n`,
  );
}

/** `arbiter demo`: the embedded stack, real held-out cases decided end to end, a table. */
export async function runDemo(env: ArbiterEnv, options: DemoOptions): Promise<void> {
  const { metrics, server } = await startCliMetrics(env, DEFAULT_METRICS_PORT);
  const cases = (await loadHoldout()).slice(0, options.count);
  // A stack that fails to start (a busy port) must not leave /metrics holding the process open.
  const stack = await startStack(env, say, { metrics }).catch(async (err: unknown) => {
    await server?.close();
    throw err;
  });
  try {
    const runTag = Date.now().toString(36);
    const since = new Date().toISOString();
    const rows = await submitAll(stack.client, cases, runTag, options.concurrency);
    const floorMs = await floorMedianMs(stack.client);
    printTable(rows);
    printSummary(rows, floorMs);
    const truths = rows.map(
      (r) => ({ decisionId: r.result.decisionId, label: r.demoCase.label === 1 ? 'fraud' : 'legit' }) as const,
    );
    await reportAgainstTruth(stack.client, stack.pool, truths, {
      since,
      pipeline: rows[0]?.result.pipeline.name,
      concurrency: options.concurrency,
    });
    printStackInfo(stack, env, server?.port);
    if (stack.uiUrl)
      say(
        `Find a decision: ${stack.uiUrl}/namespaces/default/workflows?query=WorkflowId%3D%22decision-${rows[0]?.result.caseId ?? ''}%22`,
      );
    if (!options.once) {
      say('Serving until Ctrl-C. Try: npx arbiter decide --input-file demo/cases/sample.json');
      await untilInterrupted();
      say('stopping...');
    }
  } finally {
    await stack.stop();
    await server?.close();
  }
}
