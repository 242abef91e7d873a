// Per-adapter latency (p50/p99) and throughput at batch 1 and 64, every model called through the
// same validated adapter interface the worker uses. Run: npm run bench:models
// Peers: ONNX and TF.js files in-process; a real MLServer (kserve-v2); local HTTP services for
// http-json and the OpenAI-compatible adapters (their numbers are adapter + loopback overhead).
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadHoldout } from '../cli/demo-cases';
import type { ModelVersion } from '../core/model-version';
import type { ModelAdapter, ModelInput } from '../models/adapter';
import { ADAPTER_FACTORIES } from '../models/adapters';
import { readModelCards } from '../models/cards';
import { ModelRuntime } from '../models/runtime';
import { percentile } from '../core/stats';
import { asVersion, MODELS_DIR } from '../test/helpers/models';
import { startFakeOpenAI } from '../test/helpers/fake-openai';
import { startMlserver } from '../test/helpers/mlserver';

const ITERATIONS = { 1: 400, 64: 100 } as const;
const WARMUP = 20;

interface Row {
  adapter: string;
  batch: number;
  p50: number;
  p99: number;
  rowsPerSec: number;
}

async function measure(label: string, adapter: ModelAdapter, tabular: ModelInput[]): Promise<Row[]> {
  const textual = adapter.version.kind.startsWith('openai');
  const rows = textual ? tabular.map((r) => ({ text: `page with features ${JSON.stringify(r)}` })) : tabular;
  const results: Row[] = [];
  for (const batch of [1, 64] as const) {
    const inputs = Array.from({ length: batch }, (_, i) => rows[i % rows.length] as ModelInput);
    for (let i = 0; i < WARMUP; i++) await adapter.predict(inputs, { deadline: Date.now() + 10_000 });
    const times: number[] = [];
    const started = performance.now();
    for (let i = 0; i < ITERATIONS[batch]; i++) {
      const t = performance.now();
      await adapter.predict(inputs, { deadline: Date.now() + 10_000 });
      times.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    results.push({
      adapter: label,
      batch,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      rowsPerSec: (ITERATIONS[batch] * batch) / seconds,
    });
  }
  return results;
}

/** A JSON scoring service for http-json: {"rows": [...]} → {"scores": [...]}. */
async function startJsonService(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { rows } = JSON.parse(body) as { rows: Record<string, number>[] };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ scores: rows.map((r) => Object.values(r).reduce((a, b) => a + b, 0) / 9) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function main(): Promise<void> {
  const cards = await readModelCards(MODELS_DIR);
  const rows = (await loadHoldout()).map((c) => c.input as ModelInput);
  const versions: ModelVersion[] = cards.map((c) => asVersion(c));
  const gb = versions.find((v) => v.name === 'phishing-gb') as ModelVersion;
  const mlserver = await startMlserver({ modelDir: join(MODELS_DIR, 'phishing-lr') });
  const service = await startJsonService();
  const openai = await startFakeOpenAI(['bench-chat', 'bench-embed']);
  openai.chatReply = () => ({ verdict: 'phishing', confidence: 0.9 });
  const text = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
  versions.push({
    ...gb,
    name: 'llm-triage',
    kind: 'openai-chat',
    uri: openai.baseUrl,
    config: { model: 'bench-chat', prompt: 'Is this page phishing? {text}' },
    inputSchema: text,
    outputSchema: {
      type: 'object',
      properties: { verdict: { type: 'string' }, confidence: { type: 'number' } },
      required: ['verdict', 'confidence'],
    },
  });
  versions.push({
    ...gb,
    name: 'text-embedder',
    kind: 'openai-embeddings',
    uri: openai.baseUrl,
    config: { model: 'bench-embed', field: 'text' },
    inputSchema: text,
    outputSchema: {
      type: 'object',
      properties: { vector: { type: 'array', items: { type: 'number' } } },
      required: ['vector'],
    },
  });
  versions.push({
    ...gb,
    name: 'phishing-lr-mlserver',
    kind: 'kserve-v2',
    uri: mlserver.baseUrl,
    config: {
      model: 'phishing-lr',
      features: (gb.config as { features: string[] }).features,
      outputName: 'predict_proba',
      column: 1,
    },
  });
  versions.push({
    ...gb,
    name: 'json-service',
    kind: 'http-json',
    uri: service.url,
    config: { batch: true, request: '{"rows": inputs}', response: 'body.scores.{"score": $}' },
  });
  versions.push({
    ...gb,
    name: 'feature-vector',
    kind: 'feature-embedder',
    uri: 'builtin:feature-vector',
    config: { features: (gb.config as { features: string[] }).features },
    outputSchema: {
      type: 'object',
      properties: { vector: { type: 'array', items: { type: 'number' } } },
      required: ['vector'],
    },
  });
  const runtime = new ModelRuntime(
    { getVersion: () => Promise.resolve(undefined) },
    { modelsDir: MODELS_DIR },
    ADAPTER_FACTORIES,
  );
  const table: Row[] = [];
  try {
    for (const v of versions) {
      const adapter = await runtime.build(v);
      table.push(...(await measure(`${v.kind} ${v.name}`, adapter, rows)));
      await adapter.close();
      process.stderr.write(`measured ${v.name}\n`);
    }
  } finally {
    await mlserver.stop();
    await service.close();
    await openai.close();
  }
  const lines = [
    '| adapter | batch | p50 ms | p99 ms | rows/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...table.map(
      (r) => `| ${r.adapter} | ${r.batch} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${Math.round(r.rowsPerSec)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await writeFile(
    join(import.meta.dirname, 'results', 'models.json'),
    `${JSON.stringify({ at: new Date().toISOString(), table }, null, 2)}\n`,
  );
}

await main();
