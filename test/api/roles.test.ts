import { createRoute, z } from '@hono/zod-openapi';
import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { isPublicPath } from '../../api/auth';
import type { ApiApp, ApiDeps } from '../../api/deps';
import type { Problem } from '../../api/problems';
import { allows, openApiPath, roleFor, ROUTE_ROLES } from '../../api/roles';
import type { ArbiterClient } from '../../client';
import type { ApiKey, Role } from '../../config/api-keys';

const KEYS: ApiKey[] = [
  { name: 'dee', roles: ['decide'], secret: 'decide-secret-0001' },
  { name: 'rita', roles: ['review'], secret: 'review-secret-0001' },
  { name: 'adam', roles: ['admin'], secret: 'admin-secret-00001' },
  { name: 'reed', roles: ['read'], secret: 'read-secret-000001' },
  { name: 'both', roles: ['decide', 'read'], secret: 'both-secret-000001' },
];

/** Stubs enough for every GET to answer 200, recording what the handlers were given. */
function stubApp(apiKeys: ApiKey[] | null = KEYS) {
  const seen: { review?: unknown; promote?: unknown[]; register?: unknown[]; feedback?: unknown[] } = {};
  const deps = {
    client: {
      temporal: { options: { namespace: 'default' } },
      reviewPolicies: () => Promise.resolve(new Map()),
      getDecision: () => Promise.resolve({ status: 'pending', decisionId: 'decision-x' }),
      review: (_id: string, request: unknown) => {
        seen.review = request;
        return Promise.resolve({ state: 'approved' });
      },
      submitFeedback: (...args: unknown[]) => {
        seen.feedback = args;
        return Promise.resolve({
          decisionId: 'decision-x',
          feedbackId: 'f',
          pipeline: 'p',
          label: 'fraud',
          changed: true,
        });
      },
    } as unknown as ArbiterClient,
    pool: {} as Pool,
    models: {
      list: () => Promise.resolve([]),
      show: () => Promise.resolve({ name: 'm', versions: [], aliases: {}, aliasHistory: [] }),
      promote: (...args: unknown[]) => {
        seen.promote = args;
        return Promise.resolve({ alias: 'champion', from: null, to: '1', reason: 'r', movedAt: 'now', actor: 'x' });
      },
    },
    pipelines: { list: () => Promise.resolve([]), show: () => Promise.resolve([]) },
    decisions: {
      get: () => Promise.resolve(undefined),
      search: () => Promise.resolve({ decisions: [] }),
      pendingReviews: () => Promise.resolve([]),
      activity: () => Promise.resolve({ timeline: [], backlog: {}, agreement: [], stats: { models: [] }, batches: [] }),
    },
    backtests: { get: () => Promise.resolve({ backtestId: 'x' }) },
    apiKeys,
  } as unknown as ApiDeps;
  return { app: createApp(deps), seen };
}

/** Every route a request can reach (middleware, `ALL`, aside) that needs a key but has no role. */
function unmappedRoutes(app: ApiApp): string[] {
  return app.routes
    .filter((r) => r.method !== 'ALL' && !isPublicPath(r.path))
    .filter((r) => roleFor(r.method, r.path) === undefined)
    .map((r) => `${r.method} ${openApiPath(r.path)}`)
    .filter((route, i, all) => all.indexOf(route) === i); // a validated route is registered once per handler
}

const bearer = (key: ApiKey) => ({ authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' });
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

describe('every route requires a role', () => {
  it('has a role for each registered route, and no role for a route that does not exist', () => {
    const { app } = stubApp();
    expect(unmappedRoutes(app)).toEqual([]);
    const registered = new Set(app.routes.map((r) => `${r.method} ${openApiPath(r.path)}`));
    expect(Object.keys(ROUTE_ROLES).filter((route) => !registered.has(route))).toEqual([]);
  });

  it('notices a route added without a role, and refuses it to every key, admin included', async () => {
    const { app } = stubApp();
    const route = createRoute({
      method: 'get',
      path: '/v1/unmapped/{id}',
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: { description: 'ok' } },
    });
    app.openapi(route, (c) => c.text('open', 200));
    expect(unmappedRoutes(app)).toEqual(['GET /v1/unmapped/{id}']);
    const admin = KEYS.find((k) => k.name === 'adam') as ApiKey;
    const res = await app.request('/v1/unmapped/1', { headers: bearer(admin) });
    expect(res.status).toBe(403);
    expect(((await res.json()) as Problem).detail).toMatch(/GET \/v1\/unmapped\/\{id\} has no role assigned/);
  });
});

describe('roles × endpoints', () => {
  const { app } = stubApp();
  const table = Object.entries(ROUTE_ROLES).flatMap(([route, needed]) =>
    KEYS.map((key) => [route, key.name, needed, key] as const),
  );
  // Allowed: a GET answers 200; a POST without a body gets past the door to its schema (400).
  it.each(table)('%s with %s (needs %s)', async (route, _name, needed, key) => {
    const [method = '', path = ''] = route.split(' ');
    const res = await app.request(concrete(path), { method, headers: bearer(key) });
    const expected = allows(key.roles, needed) ? (method === 'GET' ? 200 : 400) : 403;
    expect(res.status).toBe(expected);
    if (expected !== 403) return;
    const body = (await res.json()) as Problem;
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({ type: 'urn:arbiter:problem:forbidden', status: 403, title: 'Forbidden' });
    expect(body.detail).toContain(`needs the '${needed}' role`);
    expect(body.detail).toContain(`key '${key.name}'`);
    expect(JSON.stringify(body)).not.toContain(key.secret);
  });

  it.each<[Role, string[]]>([
    ['read', ['GET /v1/decisions/{id}', 'GET /v1/decisions', 'GET /v1/reviews', 'GET /v1/models', 'GET /metrics']],
    ['decide', ['POST /v1/decisions', 'POST /v1/models/{ref}/infer', 'POST /v1/pipelines/{name}/run']],
    ['review', ['POST /v1/decisions/{id}/review', 'POST /v1/decisions/{id}/feedback', 'POST /v1/decisions/feedback']],
    ['admin', ['POST /v1/models', 'POST /v1/models/{name}/aliases', 'POST /v1/pipelines']],
  ])('maps %s to the routes the README names', (role, routes) => {
    for (const route of routes) expect(ROUTE_ROLES[route], route).toBe(role);
  });
});

describe('the caller recorded', () => {
  const [rita, adam] = [KEYS[1] as ApiKey, KEYS[2] as ApiKey];

  it.each([
    ['no reviewer in the body', { action: 'approve' }, 200, 'rita'],
    ["the key's own name", { action: 'approve', reviewer: 'rita' }, 200, 'rita'],
    ["someone else's name", { action: 'approve', reviewer: 'bob' }, 403, undefined],
  ])('review with %s → %i, recorded as %s', async (_what, body, status, reviewer) => {
    const { app, seen } = stubApp();
    const res = await app.request('/v1/decisions/d/review', {
      method: 'POST',
      headers: bearer(rita),
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(status);
    expect((seen.review as { reviewer?: string } | undefined)?.reviewer).toBe(reviewer);
    if (status === 403) expect(((await res.json()) as Problem).detail).toMatch(/cannot record reviewer 'bob'/);
  });

  it('takes the reviewer from the body only without keys (--no-auth)', async () => {
    const { app, seen } = stubApp(null);
    const init = { method: 'POST', headers: { 'content-type': 'application/json' } };
    await app.request('/v1/decisions/d/review', {
      ...init,
      body: JSON.stringify({ action: 'decline', reviewer: 'bob' }),
    });
    expect(seen.review).toEqual({ action: 'decline', reviewer: 'bob' });
  });

  it('passes the key name as the actor of an alias move and of feedback, never a body field', async () => {
    const { app, seen } = stubApp();
    const promote = { alias: 'champion', version: '1', reason: 'better' };
    const moved = await app.request('/v1/models/m/aliases', {
      method: 'POST',
      headers: bearer(adam),
      body: JSON.stringify(promote),
    });
    expect(moved.status).toBe(200);
    expect(seen.promote).toEqual(['m@1', 'champion', 'better', 'adam', undefined]);
    // An `actor` in the body is no field of the request: dropped, and the key's name recorded.
    const labelled = await app.request('/v1/decisions/d/feedback', {
      method: 'POST',
      headers: bearer(rita),
      body: JSON.stringify({ label: 'fraud', actor: 'mallory' }),
    });
    expect(labelled.status).toBe(200);
    expect(seen.feedback).toEqual(['d', 'fraud', { actor: 'rita' }]);
  });
});

describe('the OpenAPI document', () => {
  it("declares 403 and the role in each protected operation's security", async () => {
    const { app } = stubApp();
    type Operation = { security?: Record<string, string[]>[]; responses: Record<string, unknown> };
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const seen: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const route = `${method.toUpperCase()} ${path}`;
        if (operation.security?.length === 0) continue; // public: /healthz
        seen.push(route);
        expect(Object.keys(operation.responses), route).toContain('403');
        expect(operation.security, route).toEqual([{ bearer: [ROUTE_ROLES[route]] }]);
      }
    }
    expect(seen.sort()).toEqual(Object.keys(ROUTE_ROLES).sort());
  });
});
