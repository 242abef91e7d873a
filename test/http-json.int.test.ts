import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../core/model-version';
import type { ModelAdapter } from '../models/adapter';
import { httpJsonFactory } from '../models/adapters/http-json';
import { embedRow, featureEmbedderFactory } from '../models/adapters/feature-embedder';
import { withValidation } from '../models/validate';
import { failureOf } from './helpers/failures';

interface Seen {
  path: string;
  body: unknown;
  headers: IncomingMessage['headers'];
}
type Fault = (res: ServerResponse) => void;

// A scoring service with its own body shape: {"instances": [...]} in, {"predictions": [{"p": ...}]} out.
let server: Server;
let base: string;
let seen: Seen[] = [];
let fault: Fault | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: text ? JSON.parse(text) : null, headers: req.headers });
      if (fault) return fault(res);
      const body = JSON.parse(text || '{"instances":[]}') as { instances: { a: number; b: number }[] };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ predictions: body.instances.map((x) => ({ p: x.a * 0.5 + x.b * 0.25 })) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  fault = undefined;
});

function version(config: Record<string, unknown>, kind: ModelVersion['kind'] = 'http-json'): ModelVersion {
  return {
    name: 'svc',
    version: '3',
    kind,
    uri: base,
    config,
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    outputSchema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] },
    metrics: {},
    createdAt: new Date(0).toISOString(),
    deprecatedAt: null,
    deprecationReason: null,
  };
}

const batched = {
  path: '/v1/score',
  batch: true,
  headers: { 'x-api-key': 'k1' },
  request: '{"instances": inputs.{"a": a, "b": b}}',
  response: 'body.predictions.{"score": p}',
};
const soon = () => ({ deadline: Date.now() + 2000 });

async function adapter(config: Record<string, unknown>): Promise<ModelAdapter> {
  return withValidation(await httpJsonFactory(version(config), { modelsDir: '.' }));
}

describe('http-json adapter (JSONata mapping)', () => {
  it('maps a batch into one request and the response back to one output per row', async () => {
    const a = await adapter(batched);
    const { outputs } = await a.predict(
      [
        { a: 1, b: 2 },
        { a: 0.5, b: 0 },
      ],
      soon(),
    );
    expect(outputs).toEqual([{ score: 1 }, { score: 0.25 }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      path: '/v1/score',
      body: {
        instances: [
          { a: 1, b: 2 },
          { a: 0.5, b: 0 },
        ],
      },
    });
    expect(seen[0]?.headers['x-api-key']).toBe('k1');
  });

  it('sends one request per row without batch', async () => {
    const a = await adapter({
      ...batched,
      batch: false,
      request: '{"instances": [input]}',
      response: '{"score": body.predictions[0].p}',
    });
    const { outputs } = await a.predict(
      [
        { a: 1, b: 0 },
        { a: 0, b: 4 },
        { a: 2, b: 2 },
      ],
      soon(),
    );
    expect(outputs).toEqual([{ score: 0.5 }, { score: 1 }, { score: 1.5 }]);
    expect(seen).toHaveLength(3);
  });

  it('sends a header given by name from the environment, on calls and on the probe', async () => {
    const config = { ...batched, headers: { authorization: { env: 'SVC_TOKEN' }, 'x-trace': 'on' } };
    const env = { SVC_TOKEN: 'Bearer from-env' };
    const a = await httpJsonFactory(version(config), { modelsDir: '.', env });
    await a.predict(
      [
        { a: 1, b: 2 },
        { a: 0, b: 1 },
      ],
      soon(),
    );
    await a.probe(soon());
    expect(seen.map((s) => [s.headers.authorization, s.headers['x-trace']])).toEqual([
      ['Bearer from-env', 'on'],
      ['Bearer from-env', 'on'],
    ]);
  });

  it('fails with Model.SecretMissing naming the variable (never a value) when it is unset', async () => {
    const config = { ...batched, headers: { authorization: { env: 'SVC_TOKEN_UNSET' } } };
    const f = await failureOf(httpJsonFactory(version(config), { modelsDir: '.', env: { OTHER: 'x' } }));
    expect([f.type, f.nonRetryable]).toEqual(['Model.SecretMissing', true]);
    expect(f.message).toBe(
      "model svc@3: header 'authorization' refers to the environment variable SVC_TOKEN_UNSET, which is not set on this process",
    );
    expect(seen).toEqual([]);
  });

  it('rejects a config whose expression does not parse, naming the version', async () => {
    const err = await httpJsonFactory(version({ ...batched, response: 'body.(' }), { modelsDir: '.' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('Model.InvalidConfig');
    expect((err as Error).message).toContain('svc@3');
  });

  it('names field, expectation and version for bad input, before any request', async () => {
    const a = await adapter(batched);
    const f = await failureOf(a.predict([{ a: 'x', b: 1 }], soon()));
    expect(f.type).toBe('Model.InvalidInput');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/svc@3 .*input\.a: .*expected number/);
    expect(seen).toHaveLength(0);
  });

  const faults: [string, Fault, string, boolean, number | undefined][] = [
    [
      '429 with retry-after',
      (r) => r.writeHead(429, { 'retry-after': '3' }).end('slow down'),
      'Model.RateLimited',
      false,
      3000,
    ],
    ['500', (r) => r.writeHead(500).end('boom'), 'Model.Unavailable', false, undefined],
    ['404', (r) => r.writeHead(404).end('no route'), 'Model.Rejected', true, undefined],
    ['non-JSON body', (r) => r.writeHead(200).end('<html>'), 'Model.BadResponse', true, undefined],
    // Valid JSON that maps to no score: caught by the version's output schema.
    ['wrong shape', (r) => r.writeHead(200).end('{"predictions": 5}'), 'Model.InvalidOutput', true, undefined],
    [
      'slow past the deadline',
      (r) => setTimeout(() => r.writeHead(200).end('{}'), 1500),
      'Model.Timeout',
      false,
      undefined,
    ],
  ];
  it.each(faults)('classifies %s', async (_name, f, type, nonRetryable, delayMs) => {
    fault = f;
    const a = await adapter(batched);
    const started = Date.now();
    const failure = await failureOf(a.predict([{ a: 1, b: 1 }], { deadline: Date.now() + 300 }));
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(failure.message).toContain('svc@3');
    if (delayMs !== undefined) expect(failure.nextRetryDelay).toBe(delayMs);
    expect(Date.now() - started).toBeLessThan(1200);
  });
});

describe('feature-vector embedder', () => {
  it('scales by range and L2-normalises, in feature order', async () => {
    const config = { features: ['a', 'b'], ranges: { a: [0, 10] } };
    const [x, y] = embedRow({ features: ['a', 'b'], ranges: { a: [0, 10] }, normalize: 'l2' }, { a: 5, b: 0.5 });
    expect(x).toBeCloseTo(Math.SQRT1_2, 12);
    expect(y).toBeCloseTo(Math.SQRT1_2, 12);
    const e = await featureEmbedderFactory(
      { ...version(config, 'feature-embedder'), outputSchema: {} },
      { modelsDir: '.' },
    );
    const { outputs } = await e.predict(
      [
        { a: 0, b: 0 },
        { a: 10, b: 0 },
      ],
      soon(),
    );
    expect(outputs).toEqual([{ vector: [0, 0] }, { vector: [1, 0] }]);
  });
});
