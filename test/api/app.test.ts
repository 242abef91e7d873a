import type { Pool } from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import type { ArbiterClient } from '../../client';
import type { ModelsAdmin } from '../../admin/models';
import type { ApiKey } from '../../config/api-keys';

/** Deps whose parts answer as the test says; whatever a test does not touch is left out. */
function stubDeps(
  parts: { client?: object; pool?: object; models?: object },
  apiKeys: ApiKey[] | null = [{ name: 'k', roles: ['admin'], secret: 'k' }],
) {
  return {
    client: parts.client as ArbiterClient,
    pool: parts.pool as Pool,
    models: parts.models as ModelsAdmin,
    apiKeys,
  } as ApiDeps;
}

const auth = { authorization: 'Bearer k' };

describe('createApp (no servers)', () => {
  it('answers an unexpected failure with a bare 500 problem and logs the real error', async () => {
    const logged: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    const client = { getDecision: () => Promise.reject(new Error('boom at /srv/secret/internal.ts:12')) };
    const app = createApp({ ...stubDeps({ client }), log });
    const res = await app.request('/v1/decisions/decision-x', { headers: auth });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const text = await res.text();
    expect(text).not.toMatch(/secret|boom|\.ts/);
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal server error' });
    expect(logged.join('')).toContain('boom at /srv/secret/internal.ts:12');
  });

  it('reports 503 from /healthz when the database is down, without saying where it is', async () => {
    const pool = { query: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:5432')) };
    const temporal = { connection: { withDeadline: (_d: number, fn: () => unknown) => fn() } };
    const client = { temporal: { ...temporal, workflowService: { getSystemInfo: () => Promise.resolve({}) } } };
    const res = await createApp(stubDeps({ pool, client })).request('/healthz');
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({
      status: 'unavailable',
      checks: { database: { ok: false }, temporal: { ok: true } },
    });
    expect(body).not.toContain('10.1.2.3');
  });

  it.each([
    ['bearer k', 200],
    ['Bearer   k  ', 200],
    ['Bearer', 401],
    ['Basic k', 401],
    ['Bearer k extra', 401],
  ])('Authorization: %j → %i', async (header, status) => {
    const app = createApp(stubDeps({ models: { list: () => Promise.resolve([]) } }));
    expect((await app.request('/v1/models', { headers: { authorization: header } })).status).toBe(status);
  });

  const spec = { name: 'm', kind: 'http-json', uri: 'http://127.0.0.1:1/', inputSchema: {}, outputSchema: {} };
  it.each([
    [true, 201, '/v1/models/m'],
    [false, 200, null],
  ])('POST /v1/models: created %s → %i (Location only for a new version)', async (created, status, location) => {
    const version = { ...spec, version: '1', config: {}, metrics: {}, createdAt: '', deprecatedAt: null };
    const registered = { version: { ...version, deprecationReason: null }, created, aliasesSet: [] };
    const app = createApp(stubDeps({ models: { register: () => Promise.resolve(registered) } }));
    const init = { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } };
    const res = await app.request('/v1/models', { ...init, body: JSON.stringify({ ...spec, card: { data: 'x' } }) });
    expect([res.status, res.headers.get('location'), await res.json()]).toEqual([status, location, registered]);
  });

  it('refuses a misspelt field in a model spec instead of dropping it', async () => {
    const init = { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } };
    const res = await createApp(stubDeps({})).request('/v1/models', {
      ...init,
      body: JSON.stringify({ ...spec, metric: { auc: 0.9 } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ path: 'metric', message: 'unknown field' }] });
  });

  it('needs no key with authentication off, and refuses an empty key list', async () => {
    const app = createApp(stubDeps({ models: { list: () => Promise.resolve([]) } }, null));
    expect(await (await app.request('/v1/models')).json()).toEqual({ models: [] });
    expect(() => createApp(stubDeps({}, []))).toThrow(/no API keys/);
  });
});

describe('API access log', () => {
  const models = { list: () => Promise.resolve([]) };

  it.each([
    ['a sane x-request-id, echoed', 'req-42.a', 'req-42.a'],
    ['none: one is made up', undefined, /^[0-9a-f-]{36}$/],
    ['an insane one: replaced', 'bad id\twith spaces', /^[0-9a-f-]{36}$/],
  ])('%s', async (_what, given, expected) => {
    const logged: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const app = createApp({ ...stubDeps({ models }), log });
    const headers = { ...auth, ...(given ? { 'x-request-id': given } : {}) };
    const res = await app.request('/v1/models', { headers });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toEqual(typeof expected === 'string' ? expected : expect.stringMatching(expected));
    const access = logged.filter((l) => l.msg === 'request');
    expect(access).toEqual([
      expect.objectContaining({ requestId: id, method: 'GET', path: '/v1/models', route: '/v1/models', status: 200 }),
    ]);
  });

  it('logs refused requests too, with their status and request id', async () => {
    const logged: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const res = await createApp({ ...stubDeps({ models }), log }).request('/v1/models');
    expect(res.status).toBe(401);
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'request', status: 401, requestId: res.headers.get('x-request-id') }),
    ]);
  });
});
