import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelinesAdmin } from '../admin/pipelines';
import { createApp } from '../api/app';
import { storesFromPool } from '../api/deps';
import type { Problem } from '../api/problems';
import { startApiServer, type ApiServer } from '../api/server';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { freePort } from '../cli/stack/ports';
import type { ModelVersionSpec } from '../core/model-version';
import { openPool } from '../stores/db';
import { PgVectorStore } from '../stores/vector/pgvector';
import { apiCaller } from './helpers/api';
import { MODELS_DIR } from './helpers/models';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

// Issue 12, point 4, end to end: a worker whose vector store is a PostgreSQL without pgvector (its
// URL carries a user and a password), and an http-json model behind a token, through the HTTP API.

const KEY = 'secrets-key';
const TOKEN = `Bearer stored-${randomBytes(8).toString('hex')}`;
const TOKEN_VAR = `ARBITER_TEST_TOKEN_${randomBytes(3).toString('hex').toUpperCase()}`;
const NS = 'secrets-similar';
let bare: { db: PGlite; server: PGLiteSocketServer; pool: Pool; url: string };
let suite: TestOrchestrator;
let stores: ReturnType<typeof storesFromPool>;
let api: ApiServer;
let service: { url: string; seen: (string | undefined)[]; close(): Promise<void> };
let holdout: DemoCase[];
let call: ReturnType<typeof apiCaller>;

/** A scoring service that answers only requests carrying TOKEN, and records what each one carried. */
async function startTokenService(): Promise<typeof service> {
  const seen: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    req.resume().on('end', () => {
      seen.push(req.headers.authorization);
      const ok = req.headers.authorization === TOKEN;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"score":0.25}' : '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const model = (name: string, authorization: unknown): ModelVersionSpec => ({
  name,
  kind: 'http-json',
  uri: service.url,
  config: { headers: { authorization }, probeInput: {} },
  inputSchema: { type: 'object' },
  outputSchema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] },
});

beforeAll(async () => {
  // A bare PGlite (no extensions) is a PostgreSQL where `CREATE EXTENSION vector` fails.
  const db = await PGlite.create('memory://');
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 8 });
  await server.start();
  const url = `postgres://vector_user:vector-pw-${randomBytes(4).toString('hex')}@127.0.0.1:${port}/postgres?sslmode=disable`;
  bare = { db, server, url, pool: await openPool(url, { max: 2 }) };
  [suite, holdout, service] = await Promise.all([
    startTestOrchestrator('secrets', { vectors: new PgVectorStore(bare.pool, {}) }),
    loadHoldout(),
    startTokenService(),
  ]);
  const { registry, pipelines } = suite.runtime.models;
  await new PipelinesAdmin(pipelines, registry).apply({
    name: NS,
    steps: [{ id: 'gb', type: 'model', model: 'phishing-gb:champion' }],
    output: 'gb',
    similarity: { embedder: 'phishing-features:champion', topK: 3 },
  });
  stores = storesFromPool(suite.db.pool, MODELS_DIR);
  const app = createApp({ client: suite.client, pool: suite.db.pool, ...stores, apiKeys: [{ name: 'ops', roles: ['admin'], secret: KEY }] });
  api = await startApiServer({ fetch: app.fetch, port: 0, host: '127.0.0.1' });
  call = apiCaller(api.url, KEY);
});

afterAll(async () => {
  delete process.env[TOKEN_VAR];
  await api?.close();
  await stores?.close();
  await suite?.stop();
  await service?.close();
  await bare?.pool.end();
  await bare?.server.stop();
  await bare?.db.close();
});

describe('no connection string in what the API returns', () => {
  it('a decision on a PostgreSQL without pgvector says so, without the database URL', async () => {
    const input = (holdout[0] as DemoCase).input;
    const res = await call<{ reasons: string[] }>('POST', '/v1/decisions', {
      caseId: `no-pgvector-${randomBytes(4).toString('hex')}`,
      input,
      pipeline: NS,
    });
    expect(res.status).toBe(200);
    const reason = res.body.reasons.find((r) => r.startsWith('similar cases unavailable'));
    expect(reason).toMatch(/pgvector is not installed on this PostgreSQL/);
    const { hostname, port, username, password } = new URL(bare.url);
    const body = JSON.stringify(res.body);
    for (const part of ['postgres://', `${hostname}:${port}`, username, password, 'sslmode']) {
      expect(body, part).not.toContain(part);
    }
  });
});

describe('secrets in model configs', () => {
  it('refuses a literal token at registration, saying how to give it by name; nothing is stored', async () => {
    const name = `literal-${randomBytes(3).toString('hex')}`;
    const res = await call<Problem>('POST', '/v1/models', model(name, TOKEN));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'urn:arbiter:problem:literal-secret',
      errors: [{ path: 'config.headers.authorization' }],
    });
    expect(res.body.detail).toContain('{ "env": "FRAUD_API_TOKEN" }');
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    expect((await call('GET', `/v1/models/${name}`)).status).toBe(404);
    expect(service.seen).not.toContain(TOKEN); // refused before the probe
  });

  it('registers a token by name, shows the name, and the worker sends the value', async () => {
    process.env[TOKEN_VAR] = TOKEN;
    const name = `by-name-${randomBytes(3).toString('hex')}`;
    const registered = await call('POST', '/v1/models', { ...model(name, { env: TOKEN_VAR }), aliases: ['champion'] });
    expect(registered.status).toBe(201);
    const shown = await call<{ versions: { config: unknown }[] }>('GET', `/v1/models/${name}`);
    expect(shown.body.versions[0]?.config).toMatchObject({ headers: { authorization: { env: TOKEN_VAR } } });
    const inferred = await call('POST', `/v1/models/${name}:champion/infer`, {});
    expect([inferred.status, inferred.body.output]).toEqual([200, { score: 0.25 }]);
    expect(service.seen.at(-1)).toBe(TOKEN);
  });

  it('never returns a literal stored before literals were refused, and the worker still uses it', async () => {
    const name = `stored-${randomBytes(3).toString('hex')}`;
    // Straight into the registry, as versions registered by an older Arbiter are.
    await suite.runtime.models.registry.register(model(name, TOKEN), { aliases: ['champion'] });
    const reads = [
      await call('GET', `/v1/models/${name}`),
      await call('GET', '/v1/models'),
      await call('POST', `/v1/models/${name}/aliases`, { alias: 'shadow', version: '1' }),
    ];
    for (const read of reads) {
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(TOKEN);
    }
    expect(reads[0]?.body).toMatchObject({ versions: [{ config: { headers: { authorization: '***' } } }] });
    const inferred = await call('POST', `/v1/models/${name}:champion/infer`, {});
    expect([inferred.status, inferred.body.output]).toEqual([200, { score: 0.25 }]);
    expect(service.seen.at(-1)).toBe(TOKEN);
  });
});
