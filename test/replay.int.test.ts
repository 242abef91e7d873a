import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { installCliRuntime } from '../cli/runtime';
import { HISTORIES_DIR, loadHistories } from './helpers/histories';
import { bundleWorkflows } from './helpers/temporal';

// The replay corpus (STYLE rule 13): every committed history must replay on today's workflow code.
// A change that cannot replay one needs `patched()`, not a re-recorded history.
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
let results: Map<string, ReplayResult>;
let traced: Map<string, ReplayResult>;

// Tracing (OTEL_*) adds OpenTelemetry's workflow interceptors to the bundle: histories recorded
// without them must replay with them too (they add no commands).
const TRACING_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

async function replayAll(workflowBundle: WorkflowBundleWithSourceMap, tracing: boolean) {
  const histories = await loadHistories();
  const sinks = tracing
    ? { exporter: makeWorkflowExporter(new SimpleSpanProcessor(new InMemorySpanExporter()), Resource.default()) }
    : undefined;
  const out = new Map<string, ReplayResult>();
  const replayed = Worker.runReplayHistories(
    { workflowBundle, sinks },
    histories.map(({ name, history }) => ({ workflowId: name, history })),
  );
  for await (const result of replayed) out.set(result.workflowId, result);
  return out;
}

beforeAll(async () => {
  installCliRuntime();
  results = await replayAll(await bundleWorkflows(), false);
  traced = await replayAll(await bundleWorkflows([TRACING_INTERCEPTORS]), true);
});

describe('replay corpus', () => {
  it('holds histories', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => f.replace(/\.json$/, '')))('%s replays on the current workflow code', (name) => {
    for (const [how, replayed] of [
      ['plain', results],
      ['traced', traced],
    ] as const) {
      const result = replayed.get(name);
      expect(result, `${name} was not replayed (${how})`).toBeDefined();
      expect(result?.error?.message, how).toBeUndefined();
    }
  });
});
