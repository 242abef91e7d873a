import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { msToNumber } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelVersion } from '../core/model-version';
import type { ModelAdapter } from '../models/adapter';
import { kserveV2Factory } from '../models/adapters/kserve-v2';
import { PROJECT_ROOT } from '../config/env';
import { startMlserver, type RunningMlserver } from './helpers/mlserver';
import { MODELS_DIR } from './helpers/models';
import { failureOf } from './helpers/failures';

// MLServer must reproduce scikit-learn's own predict_proba. The references are rounded to 7
// decimals and MLServer answers FP32 for FP32 inputs: the worst difference seen is 1.4e-7 (FP64)
// and 5e-8 (FP32). 1e-6 leaves room for that and still catches a wrong column, feature order or model.
const TOLERANCE = 1e-6;
const MODEL_DIR = join(MODELS_DIR, 'phishing-lr');
const ID = 'phishing-lr-mlserver@1';

const CardSchema = z.object({
  config: z.object({ features: z.array(z.string()) }),
  inputSchema: z.record(z.string(), z.unknown()),
  outputSchema: z.record(z.string(), z.unknown()),
});
const HoldoutSchema = z.array(
  z.object({ input: z.record(z.string(), z.number()), reference: z.object({ 'phishing-lr': z.number() }) }),
);
type Holdout = z.infer<typeof HoldoutSchema>;

let server: RunningMlserver;
let fake: FakeOip;
let card: z.infer<typeof CardSchema>;
let holdout: Holdout;

beforeAll(async () => {
  [card, holdout, fake] = await Promise.all([
    readFile(join(MODEL_DIR, 'model.json'), 'utf8').then((t) => CardSchema.parse(JSON.parse(t))),
    readFile(join(PROJECT_ROOT, 'demo', 'data', 'phishing-holdout.json'), 'utf8').then((t) =>
      HoldoutSchema.parse(JSON.parse(t)),
    ),
    startFakeOip(),
  ]);
  // Installs MLServer on first use (about a minute), then starts it in a few seconds. Never skips.
  server = await startMlserver({ modelDir: MODEL_DIR });
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

/** The registered version as the registry would hand it to the adapter. */
function versionAt(uri: string, config: Record<string, unknown> = {}): ModelVersion {
  return {
    name: 'phishing-lr-mlserver',
    version: '1',
    kind: 'kserve-v2',
    uri,
    config: { model: 'phishing-lr', features: card.config.features, outputName: 'predict_proba', column: 1, ...config },
    inputSchema: card.inputSchema,
    outputSchema: card.outputSchema,
    metrics: {},
    createdAt: new Date().toISOString(),
    deprecatedAt: null,
    deprecationReason: null,
  };
}

const soon = (ms = 10_000) => ({ deadline: Date.now() + ms });

describe('kserve-v2 adapter on a real MLServer (scikit-learn runtime)', () => {
  it.each(['FP32', 'FP64'])('matches scikit-learn on all held-out cases in one %s batch', async (datatype) => {
    const adapter = await kserveV2Factory(versionAt(server.baseUrl, { datatype, modelVersion: '1' }), {
      modelsDir: MODELS_DIR,
    });
    const { outputs } = await adapter.predict(
      holdout.map((c) => c.input),
      soon(),
    );
    expect(outputs).toHaveLength(holdout.length);
    const diffs = outputs.map((o, i) => Math.abs(Number(o.score) - (holdout[i]?.reference['phishing-lr'] ?? NaN)));
    expect(Math.max(...diffs)).toBeLessThan(TOLERANCE);
  });

  it('scores a batch of one', async () => {
    const adapter = await kserveV2Factory(versionAt(server.baseUrl), { modelsDir: MODELS_DIR });
    const [first] = holdout;
    const { outputs } = await adapter.predict([first?.input ?? {}], soon());
    expect(outputs).toHaveLength(1);
    expect(Math.abs(Number(outputs[0]?.score) - (first?.reference['phishing-lr'] ?? NaN))).toBeLessThan(TOLERANCE);
  });

  it('probes the served model', async () => {
    const adapter = await kserveV2Factory(versionAt(server.baseUrl), { modelsDir: MODELS_DIR });
    await expect(adapter.probe(soon())).resolves.toBeUndefined();
  });

  it('fails the probe, non-retryable and naming both models, for a model the server does not have', async () => {
    const adapter = await kserveV2Factory(versionAt(server.baseUrl, { model: 'no-such-model' }), {
      modelsDir: MODELS_DIR,
    });
    const failure = await failureOf(adapter.probe(soon()));
    expect(failure.type).toBe('Model.InvalidConfig');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(ID);
    expect(failure.message).toContain("'no-such-model'");
    expect(failure.message).toContain('not on the server');
  });
});

interface FakeRoute {
  status: number;
  body: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Answer 401 unless the request's Authorization header is this (a gateway in front of the server). */
  authorization?: string;
}
interface FakeOip {
  baseUrl: string;
  /** Path, parsed JSON body and Authorization header of every request received. */
  requests: { path: string; body: unknown; authorization?: string }[];
  route(model: string, answer: FakeRoute): void;
  close(): Promise<void>;
}

/** A local OIP server whose answers each test picks by server-side model name. */
async function startFakeOip(): Promise<FakeOip> {
  const routes = new Map<string, FakeRoute>();
  const requests: FakeOip['requests'] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const path = req.url ?? '';
    const { authorization } = req.headers;
    requests.push({ path, body: text ? (JSON.parse(text) as unknown) : undefined, authorization });
    const route = routes.get(/^\/v2\/models\/([^/]+)/.exec(path)?.[1] ?? '') ?? {
      status: 404,
      body: '{"error":"no route"}',
    };
    const refused = route.authorization !== undefined && authorization !== route.authorization;
    const answer = refused ? { status: 401, body: '{"error":"unauthorized"}' } : route;
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (!res.destroyed)
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
  };
  const http: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    requests,
    route: (model, answer) => void routes.set(model, answer),
    close: () => {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

const tensor = (shape: number[], data: unknown[]) =>
  JSON.stringify({ model_name: 'm', outputs: [{ name: 'predict_proba', shape, datatype: 'FP32', data }] });

describe('kserve-v2 adapter failures against a local OIP server', () => {
  const DEADLINE_MS = 500;
  it.each<{ name: string; answer: FakeRoute; type: string; nonRetryable: boolean; retryDelayMs?: number }>([
    {
      name: 'rate-limited',
      answer: { status: 429, body: '{"error":"slow down"}', headers: { 'retry-after': '2' } },
      type: 'Model.RateLimited',
      nonRetryable: false,
      retryDelayMs: 2000,
    },
    {
      name: 'server-error',
      answer: { status: 500, body: '{"error":"boom"}' },
      type: 'Model.Unavailable',
      nonRetryable: false,
    },
    {
      name: 'bad-request',
      answer: { status: 400, body: '{"error":"bad tensor"}' },
      type: 'Model.Rejected',
      nonRetryable: true,
    },
    {
      name: 'slow',
      answer: { status: 200, body: tensor([1, 2], [0.5, 0.5]), delayMs: 5_000 },
      type: 'Model.Timeout',
      nonRetryable: false,
    },
    {
      name: 'wrong-shape',
      answer: { status: 200, body: tensor([3, 2], [0.1, 0.9]) },
      type: 'Model.BadResponse',
      nonRetryable: true,
    },
    {
      name: 'not-numbers',
      answer: { status: 200, body: tensor([1, 2], ['a', 'b']) },
      type: 'Model.BadResponse',
      nonRetryable: true,
    },
    {
      name: 'no-outputs',
      answer: { status: 200, body: '{"model_name":"m"}' },
      type: 'Model.BadResponse',
      nonRetryable: true,
    },
    {
      name: 'not-json',
      answer: { status: 200, body: '<html>proxy error</html>' },
      type: 'Model.BadResponse',
      nonRetryable: true,
    },
  ])('$name → $type', async ({ name, answer, type, nonRetryable, retryDelayMs }) => {
    fake.route(name, answer);
    const adapter: ModelAdapter = await kserveV2Factory(versionAt(fake.baseUrl, { model: name }), {
      modelsDir: MODELS_DIR,
    });
    const started = Date.now();
    const failure = await failureOf(adapter.predict([holdout[0]?.input ?? {}], soon(DEADLINE_MS)));
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1_000);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(failure.message).toContain(ID);
    // A Duration is milliseconds or an `ms` string such as '2s': compare in milliseconds.
    const delay = failure.nextRetryDelay as unknown;
    const retryDelay = typeof delay === 'number' || typeof delay === 'string' ? msToNumber(delay) : undefined;
    expect(retryDelay).toBe(retryDelayMs);
    // The adapter spoke OIP: one [1, features] tensor, the score's output asked for by name.
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v2/models/${name}/infer`,
      body: {
        inputs: [{ name: 'input-0', datatype: 'FP32', shape: [1, card.config.features.length] }],
        outputs: [{ name: 'predict_proba' }],
      },
    });
  });

  it('fails the probe when the metadata does not list the configured input', async () => {
    fake.route('named-inputs', { status: 200, body: '{"name":"named-inputs","inputs":[{"name":"X"}],"outputs":[]}' });
    const adapter = await kserveV2Factory(versionAt(fake.baseUrl, { model: 'named-inputs' }), {
      modelsDir: MODELS_DIR,
    });
    const failure = await failureOf(adapter.probe(soon()));
    expect(failure.type).toBe('Model.InvalidConfig');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/phishing-lr-mlserver@1 .* has no input 'input-0' \(inputs: X\)/);
  });

  it('sends headers given by name (a gateway token) on inference and on every probe request', async () => {
    // One body for every path: metadata (name, outputs) and an inference answer alike.
    const outputs = [{ name: 'predict_proba', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.75] }];
    const gateway = { status: 200, body: JSON.stringify({ name: 'gated', outputs }), authorization: 'Bearer gw-token' };
    fake.route('gated', gateway);
    const config = { model: 'gated', headers: { authorization: { env: 'GATEWAY_TOKEN' } } };
    const withToken = await kserveV2Factory(versionAt(fake.baseUrl, config), {
      modelsDir: MODELS_DIR,
      env: { GATEWAY_TOKEN: 'Bearer gw-token' },
    });
    const from = fake.requests.length;
    await expect(withToken.predict([holdout[0]?.input ?? {}], soon())).resolves.toEqual({
      outputs: [{ score: 0.75 }],
    });
    await withToken.probe(soon());
    const sent = fake.requests.slice(from);
    expect(sent.map((r) => r.path.replace('/v2/models/gated', ''))).toEqual(['/infer', '/ready', '', '/infer']);
    expect(sent.map((r) => r.authorization)).toEqual(Array(4).fill('Bearer gw-token'));

    const unset = await failureOf(kserveV2Factory(versionAt(fake.baseUrl, config), { modelsDir: MODELS_DIR, env: {} }));
    expect([unset.type, unset.nonRetryable]).toEqual(['Model.SecretMissing', true]);
    expect(unset.message).toContain('GATEWAY_TOKEN');
  });

  it('rejects an invalid config before any call', async () => {
    const failure = await failureOf(
      kserveV2Factory(versionAt(fake.baseUrl, { features: [] }), { modelsDir: MODELS_DIR }),
    );
    expect(failure.type).toBe('Model.InvalidConfig');
    expect(failure.message).toContain(ID);
  });
});
