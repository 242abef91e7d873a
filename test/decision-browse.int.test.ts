import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { storesFromPool } from '../api/deps';
import type { Problem } from '../api/problems';
import type { ArbiterClient } from '../client';
import type { ApiKey } from '../config/api-keys';
import type { Outcome } from '../core/decision';
import type { DecisionRecord } from '../core/records';
import type { ReviewSummary } from '../core/decision-search';
import type { DecisionAudit } from '../core/audit';
import { DecisionStore } from '../stores/decision-store';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { MODELS_DIR } from './helpers/models';

// The list endpoints on a real database (PGlite, or DATABASE_URL's PostgreSQL). Temporal's part of
// `/v1/reviews` (each workflow's review policy) is read through the client: here a map, the real
// one is exercised in test/api.int.test.ts and test/console.int.test.ts.
const KEYS: ApiKey[] = [
  { name: 'reed', roles: ['read'], secret: 'read-secret-000001' },
  { name: 'dee', roles: ['decide'], secret: 'decide-secret-0001' },
];
const T0 = Date.parse('2026-11-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

interface Row {
  id: string;
  outcome: Outcome;
  score: number;
  pipeline?: string;
  degraded?: boolean;
  minutes: number;
  review?: 'approved' | 'declined' | 'escalated';
  label?: 'fraud' | 'legit';
}
// Two rows share an instant: the cursor must still page through both, once each.
const ROWS: Row[] = [
  { id: 'd-01', outcome: 'approve', score: 0.1, minutes: 0, label: 'legit' },
  { id: 'd-02', outcome: 'decline', score: 0.95, minutes: 1, label: 'fraud' },
  { id: 'd-03', outcome: 'review', score: 0.6, minutes: 2 },
  { id: 'd-04', outcome: 'review', score: 0.7, minutes: 3, review: 'approved', label: 'legit' },
  { id: 'd-05', outcome: 'review', score: 0.5, minutes: 4, pipeline: 'payments', degraded: true },
  { id: 'd-06', outcome: 'review', score: 0.55, minutes: 4, review: 'escalated' },
  { id: 'd-07', outcome: 'approve', score: 0.2, minutes: 5, pipeline: 'payments', degraded: true },
];

function record(r: Row): DecisionRecord {
  return {
    decisionId: r.id,
    caseId: r.id.slice(2),
    outcome: r.outcome,
    score: r.score,
    reasons: [`reason one of ${r.id}`, 'two', 'three', 'four'],
    models: [],
    thresholds: { decline: 0.8, review: 0.4 },
    pipeline: { name: r.pipeline ?? 'demo', version: '1' },
    degraded: r.degraded ?? false,
    late: [],
    workflowId: r.id,
    runId: 'run',
    decidedAt: at(r.minutes),
    input: { url: `https://${r.id}.example` },
    latencyMs: 10 + r.minutes,
  };
}

let db: TestDatabase;
let stores: ReturnType<typeof storesFromPool>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await createTestDatabase();
  const store = new DecisionStore(db.pool);
  for (const r of ROWS) {
    await store.insertDecision(record(r));
    if (r.review) {
      const finalOutcome = r.review === 'approved' ? 'approve' : r.review === 'declined' ? 'decline' : 'review';
      await store.recordReview(r.id, { state: r.review, finalOutcome, reviewer: 'rita', at: at(r.minutes + 1) });
    }
    if (r.label) await db.pool.query('UPDATE decisions SET label = $2 WHERE decision_id = $1', [r.id, r.label]);
  }
  stores = storesFromPool(db.pool, MODELS_DIR);
  const client = {
    reviewPolicies: (ids: string[]) =>
      Promise.resolve(
        new Map(
          ids.filter((id) => id !== 'd-05').map((id) => [id, { timeoutMs: 3_600_000, onTimeout: 'decline' as const }]),
        ),
      ),
  } as unknown as ArbiterClient;
  app = createApp({ client, pool: db.pool, ...stores, apiKeys: KEYS });
});

afterAll(async () => {
  await stores?.close();
  await db?.close();
});

async function get<T>(path: string, key = KEYS[0] as ApiKey): Promise<{ status: number; body: T }> {
  const res = await app.request(path, { headers: { authorization: `Bearer ${key.secret}` } });
  return { status: res.status, body: (await res.json()) as T };
}
const ids = (page: { decisions: DecisionAudit[] }) => page.decisions.map((d) => d.decisionId);

describe('GET /v1/decisions', () => {
  it.each([
    ['', ['d-07', 'd-06', 'd-05', 'd-04', 'd-03', 'd-02', 'd-01']],
    ['outcome=review', ['d-06', 'd-05', 'd-04', 'd-03']],
    ['pipeline=payments', ['d-07', 'd-05']],
    ['minScore=0.5&maxScore=0.7', ['d-06', 'd-05', 'd-04', 'd-03']],
    ['degraded=true', ['d-07', 'd-05']],
    ['degraded=false&outcome=approve', ['d-01']],
    ['review=pending', ['d-05', 'd-03']],
    ['review=approved', ['d-04']],
    ['review=escalated', ['d-06']],
    ['review=none', ['d-07', 'd-02', 'd-01']],
    ['label=fraud', ['d-02']],
    ['label=none&outcome=review', ['d-06', 'd-05', 'd-03']],
    [`since=${at(2)}&until=${at(4)}`, ['d-04', 'd-03']],
  ])('?%s → %j', async (query, expected) => {
    const { status, body } = await get<{ decisions: DecisionAudit[]; nextCursor?: string }>(`/v1/decisions?${query}`);
    expect(status).toBe(200);
    expect(ids(body)).toEqual(expected);
    expect(body.nextCursor).toBeUndefined();
  });

  it('pages with an opaque cursor, each decision once, ties on the instant included', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { body } = await get<{ decisions: DecisionAudit[]; nextCursor?: string }>(`/v1/decisions?${query}`);
      seen.push(...ids(body));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(['d-07', 'd-06', 'd-05', 'd-04', 'd-03', 'd-02', 'd-01']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['minScore=2', 'minScore'],
    ['review=maybe', 'review'],
    ['since=yesterday', 'since'],
    ['degraded=yes', 'degraded'],
  ])('refuses ?%s naming %s (400)', async (query, field) => {
    const { status, body } = await get<Problem>(`/v1/decisions?${query}`);
    expect(status).toBe(400);
    expect((body.errors ?? []).map((e) => e.path)).toEqual([field]);
  });

  it('refuses a cursor that is not one it gave (400)', async () => {
    for (const bad of ['nonsense', Buffer.from('["x","y"]').toString('base64url')]) {
      const { status, body } = await get<Problem>(`/v1/decisions?cursor=${bad}`);
      expect([status, body.detail]).toEqual([400, expect.stringMatching(/cursor is not valid/)]);
    }
  });

  it('needs the read role', async () => {
    const { status, body } = await get<Problem>('/v1/decisions', KEYS[1]);
    expect([status, body.detail]).toEqual([403, expect.stringMatching(/needs the 'read' role/)]);
  });
});

describe('GET /v1/reviews', () => {
  it('lists pending reviews oldest first with score, top three reasons, pipeline and the clock', async () => {
    const before = Date.now();
    const { status, body } = await get<{ reviews: ReviewSummary[] }>('/v1/reviews');
    expect(status).toBe(200);
    expect(body.reviews.map((r) => r.decisionId)).toEqual(['d-03', 'd-05']);
    const [first, second] = body.reviews;
    expect(first).toMatchObject({
      score: 0.6,
      pipeline: { name: 'demo', version: '1' },
      topReasons: ['reason one of d-03', 'two', 'three'],
      escalatesAt: new Date(T0 + 2 * 60_000 + 3_600_000).toISOString(),
      onTimeout: 'decline',
    });
    expect(first?.timeLeftMs).toBeLessThanOrEqual(T0 + 2 * 60_000 + 3_600_000 - before);
    expect(first?.ageS).toBeGreaterThanOrEqual(Math.floor((before - T0) / 1000) - 120);
    // Its workflow could not be read: listed, without a clock.
    expect(second).toMatchObject({ decisionId: 'd-05', degraded: true });
    expect(second?.timeLeftMs).toBeUndefined();
  });

  it('filters by pipeline and score', async () => {
    expect(
      (await get<{ reviews: ReviewSummary[] }>('/v1/reviews?pipeline=payments')).body.reviews.map((r) => r.decisionId),
    ).toEqual(['d-05']);
    expect(
      (await get<{ reviews: ReviewSummary[] }>('/v1/reviews?minScore=0.55')).body.reviews.map((r) => r.decisionId),
    ).toEqual(['d-03']);
  });
});

describe('GET /v1/decisions/activity', () => {
  it('counts outcomes per bucket with latency percentiles, and the backlog', async () => {
    const hours = (Date.now() - T0) / 3_600_000 + 1;
    const { status, body } = await get<{
      timeline: { n: number; approve: number; decline: number; review: number; degraded: number; p50: number }[];
      backlog: { reviewsPending: number };
      agreement: unknown[];
      stats: { labelled: number };
    }>(`/v1/decisions/activity?hours=${hours.toFixed(3)}&bucketS=86400`);
    expect(status).toBe(200);
    expect(body.timeline).toHaveLength(1);
    expect(body.timeline[0]).toMatchObject({ n: 7, approve: 2, decline: 1, review: 4, degraded: 2, p50: 13 });
    expect(body.backlog.reviewsPending).toBe(2);
    expect(body.stats.labelled).toBe(3);
  });
});
