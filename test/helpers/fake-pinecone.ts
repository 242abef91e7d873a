import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { Failure } from '../../core/failures';
import type { MetadataFilter, VectorItem, VectorMetadata, VectorStore } from '../../stores/vector/types';
import { failureOf } from './failures';

const VectorFailureType = Failure.Vector;

/**
 * A Pinecone index's data plane on 127.0.0.1, speaking the wire format the 9.x SDK sends (paths,
 * `Api-Key`, `X-Pinecone-API-Version`, bodies): real cosine top-k and filters in memory, every request
 * recorded, faults by path. Below it, `vectorStoreContract`: the behaviour both stores must share.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface PineconeFault {
  /** Answer this status with Pinecone's error body (`{ code, message, details }`). */
  status?: number;
  /** Extra response headers, e.g. `{ 'retry-after': '7' }`. */
  headers?: Record<string, string>;
  delayMs?: number;
  /** Answer 200 with exactly this body. */
  rawBody?: string;
  /** How many matching requests get it. @default Infinity */
  times?: number;
}

export interface FakePinecone {
  /** `http://127.0.0.1:PORT`: the index host URL. */
  hostUrl: string;
  requests: RecordedRequest[];
  /** Adds a fault for requests to exactly `path` ('/query', '/vectors/upsert', ...). */
  fail(path: string, fault: PineconeFault): void;
  /** Forgets requests and faults (vectors stay). */
  reset(): void;
  close(): Promise<void>;
}

type Metadata = Record<string, unknown>;
type Reply = [status: number, body: unknown];
class InvalidArgument extends Error {}

export async function startFakePinecone(options: { apiKey: string; dimension: number }): Promise<FakePinecone> {
  const { apiKey, dimension } = options;
  const index = new Map<string, Map<string, { values: number[]; metadata: Metadata }>>();
  const sockets = new Set<Socket>();
  let faults: (PineconeFault & { path: string; left: number })[] = [];
  const fake: FakePinecone = {
    hostUrl: '',
    requests: [],
    fail: (path, fault) => void faults.push({ ...fault, path, left: fault.times ?? Infinity }),
    reset() {
      fake.requests.length = 0;
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const namespace = (ns: unknown) => {
    const name = typeof ns === 'string' ? ns : '';
    if (!index.has(name)) index.set(name, new Map());
    return index.get(name)!;
  };
  const checkValues = (values: unknown): number[] => {
    if (!Array.isArray(values) || !values.every((v): v is number => typeof v === 'number')) {
      throw new InvalidArgument('values must be a list of numbers');
    }
    if (values.length !== dimension) {
      throw new InvalidArgument(
        `Vector dimension ${values.length} does not match the dimension of the index ${dimension}`,
      );
    }
    return values;
  };

  const routes: Record<string, (body: Record<string, unknown>) => Reply> = {
    '/vectors/upsert': (body) => {
      const vectors = body.vectors as { id: string; values: unknown; metadata?: Metadata }[];
      for (const v of vectors) checkMetadata(v.metadata ?? {});
      const checked = vectors.map((v) => ({ id: v.id, values: checkValues(v.values), metadata: v.metadata ?? {} }));
      for (const v of checked) namespace(body.namespace).set(v.id, { values: v.values, metadata: v.metadata });
      return [200, { upsertedCount: checked.length }];
    },
    '/query': (body) => {
      const vector = checkValues(body.vector);
      const filter = body.filter as Metadata | undefined;
      const scored = [...namespace(body.namespace)]
        .filter(([, v]) => !filter || matchesFilter(filter, v.metadata))
        .map(([id, v]) => ({ id, score: cosine(vector, v.values), metadata: v.metadata }))
        .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
        .slice(0, Number(body.topK));
      const matches = scored.map((m) => ({
        id: m.id,
        score: m.score,
        values: [],
        ...(body.includeMetadata ? { metadata: m.metadata } : {}),
      }));
      return [200, { results: [], matches, namespace: body.namespace ?? '', usage: { readUnits: 5 } }];
    },
    '/vectors/update': (body) => {
      const stored = namespace(body.namespace).get(String(body.id));
      const set = (body.setMetadata ?? {}) as Metadata;
      checkMetadata(set);
      if (stored) stored.metadata = { ...stored.metadata, ...set };
      return [200, {}];
    },
    '/describe_index_stats': () => {
      const namespaces = Object.fromEntries(
        [...index].filter(([, vs]) => vs.size > 0).map(([ns, vs]) => [ns, { vectorCount: vs.size }]),
      );
      const total = Object.values(namespaces).reduce((n, s) => n + s.vectorCount, 0);
      const stats = {
        namespaces,
        dimension,
        indexFullness: 0,
        totalVectorCount: total,
        metric: 'cosine',
        vectorType: 'dense',
      };
      return [200, stats];
    },
  };

  const answer = (method: string, path: string, headers: IncomingHttpHeaders, body: unknown): Reply => {
    if (headers['api-key'] !== apiKey) return [401, { code: 16, message: 'Invalid API Key', details: [] }];
    const route = routes[path];
    if (method !== 'POST' || !route) return [404, { code: 5, message: `no route ${method} ${path}`, details: [] }];
    try {
      return route((body ?? {}) as Record<string, unknown>);
    } catch (err) {
      const message = err instanceof InvalidArgument ? err.message : `bad request: ${String(err)}`;
      return [400, { code: 3, message, details: [] }];
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = parseBody(text);
      fake.requests.push({ method, path, headers: req.headers, body });
      const fault = faults.find((f) => f.left > 0 && f.path === path);
      if (fault) fault.left--;
      const send = () => respond(res, fault, () => answer(method, path, req.headers, body));
      if (fault?.delayMs) setTimeout(send, fault.delayMs);
      else send();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** The JSON body, or the raw text when it is not JSON (no route accepts it then). */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function respond(res: ServerResponse, fault: PineconeFault | undefined, normal: () => Reply): void {
  if (res.destroyed) return;
  const headers = { 'content-type': 'application/json', ...fault?.headers };
  if (fault?.status) {
    const body = { code: 14, message: `injected HTTP ${fault.status}`, details: [] };
    res.writeHead(fault.status, headers).end(JSON.stringify(body));
  } else if (fault?.rawBody !== undefined) {
    res.writeHead(200, headers).end(fault.rawBody);
  } else {
    const [status, body] = normal();
    res.writeHead(status, headers).end(JSON.stringify(body));
  }
}

function checkMetadata(metadata: Metadata): void {
  for (const [key, v] of Object.entries(metadata)) {
    const ok =
      ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
    if (!ok)
      throw new InvalidArgument(`Metadata value for field ${key} must be a string, number, boolean or list of strings`);
  }
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
}

/** Pinecone's documented semantics, written independently of the pgvector translation. */
function matchesFilter(filter: Metadata, metadata: Metadata): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and') return (condition as Metadata[]).every((f) => matchesFilter(f, metadata));
    if (key === '$or') return (condition as Metadata[]).some((f) => matchesFilter(f, metadata));
    if (key.startsWith('$')) throw new InvalidArgument(`unknown operator ${key}`);
    const ops = typeof condition === 'object' && condition !== null ? (condition as Metadata) : { $eq: condition };
    const value = metadata[key];
    const values: unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
    return Object.entries(ops).every(([op, arg]) => {
      const num = typeof value === 'number' && typeof arg === 'number';
      switch (op) {
        case '$eq':
          return values.includes(arg);
        case '$ne':
          return !values.includes(arg);
        case '$in':
          return values.some((v) => (arg as unknown[]).includes(v));
        case '$nin':
          return !values.some((v) => (arg as unknown[]).includes(v));
        case '$gt':
          return num && value > arg;
        case '$gte':
          return num && value >= arg;
        case '$lt':
          return num && value < arg;
        case '$lte':
          return num && value <= arg;
        default:
          throw new InvalidArgument(`unknown operator ${op}`);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The contract both stores must keep.

/** Deterministic float32-exact vectors in [-1, 1) (mulberry32), so float4 storage loses nothing. */
export function randomVectors(count: number, dimension: number, seed: number): number[][] {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Array.from({ length: dimension }, () => Math.fround(next() * 2 - 1)));
}

const LABELS = ['phishing', 'legit', 'review'] as const;

function metadataOf(i: number): VectorMetadata {
  return {
    label: LABELS[i % 3]!,
    amount: i,
    flagged: i % 2 === 0,
    tags: i % 5 === 0 ? ['urgent', 'new'] : ['new'],
    ...(i % 7 === 0 ? {} : { country: i % 4 === 1 ? 'FR' : 'DE' }),
  };
}

/** Filters with what they mean in plain code: results must be exactly the matching items, best first. */
const FILTER_CASES: [name: string, filter: MetadataFilter, holds: (m: VectorMetadata) => boolean][] = [
  ['$eq', { label: { $eq: 'legit' } }, (m) => m.label === 'legit'],
  ['shorthand $eq', { label: 'legit' }, (m) => m.label === 'legit'],
  ['$eq on a boolean', { flagged: true }, (m) => m.flagged === true],
  ['$ne', { label: { $ne: 'legit' } }, (m) => m.label !== 'legit'],
  ['$in', { label: { $in: ['legit', 'review'] } }, (m) => m.label !== 'phishing'],
  ['$nin', { label: { $nin: ['legit', 'review'] } }, (m) => m.label === 'phishing'],
  ['$gt', { amount: { $gt: 150 } }, (m) => Number(m.amount) > 150],
  ['$gte and $lt together', { amount: { $gte: 50, $lt: 60 } }, (m) => Number(m.amount) >= 50 && Number(m.amount) < 60],
  ['$lte', { amount: { $lte: 10 } }, (m) => Number(m.amount) <= 10],
  ['$eq on a list (any element)', { tags: 'urgent' }, (m) => (m.tags as string[]).includes('urgent')],
  ['$nin on a list (no element)', { tags: { $nin: ['urgent'] } }, (m) => !(m.tags as string[]).includes('urgent')],
  ['$ne matches a missing field', { country: { $ne: 'FR' } }, (m) => m.country !== 'FR'],
  ['$in skips a missing field', { country: { $in: ['FR', 'DE'] } }, (m) => m.country !== undefined],
  ['implicit AND', { label: 'phishing', flagged: false }, (m) => m.label === 'phishing' && m.flagged === false],
  [
    '$and',
    { $and: [{ label: 'phishing' }, { amount: { $gt: 100 } }] },
    (m) => m.label === 'phishing' && Number(m.amount) > 100,
  ],
  [
    '$or',
    { $or: [{ label: 'review' }, { tags: { $in: ['urgent'] } }] },
    (m) => m.label === 'review' || (m.tags as string[]).includes('urgent'),
  ],
  [
    'nested $or of $and',
    { $or: [{ $and: [{ label: 'legit' }, { amount: { $lt: 30 } }] }, { amount: { $gte: 195 } }] },
    (m) => (m.label === 'legit' && Number(m.amount) < 30) || Number(m.amount) >= 195,
  ],
];

export interface ContractSubject {
  store: () => VectorStore;
  dimension: number;
}

/** Registers the shared behavioural tests; call inside a describe whose beforeAll creates the store. */
export function vectorStoreContract({ store, dimension }: ContractSubject): void {
  const run = Math.random().toString(36).slice(2, 8);
  const ns = (name: string) => `${name}-${run}`;
  const vectors = randomVectors(200, dimension, 42);
  const items: VectorItem[] = vectors.map((vector, i) => ({ id: `case-${i}`, vector, metadata: metadataOf(i) }));
  const bruteForce = (query: number[], keep: (m: VectorMetadata) => boolean = () => true) =>
    items
      .filter((i) => keep(i.metadata))
      .map((i) => ({ id: i.id, score: cosine(query, i.vector) }))
      .sort((a, b) => b.score - a.score);
  const scoreOf = (query: number[], id: string) => cosine(query, items.find((i) => i.id === id)!.vector);

  describe(`VectorStore contract`, () => {
    beforeAll(async () => {
      await store().upsert(ns('cases'), items);
    });

    it('ranks by cosine similarity exactly as brute force does', async () => {
      for (const query of randomVectors(5, dimension, 7)) {
        const got = await store().query(ns('cases'), query, { topK: 10 });
        const want = bruteForce(query).slice(0, 10);
        expect(got).toHaveLength(10);
        got.forEach((m, k) => {
          expect(m.score).toBeCloseTo(want[k]!.score, 5);
          expect(m.score).toBeCloseTo(scoreOf(query, m.id), 5);
        });
      }
    });

    it('returns the metadata it stored, and the vector itself first with score 1', async () => {
      const [best] = await store().query(ns('cases'), items[17]!.vector, { topK: 1 });
      expect(best?.id).toBe('case-17');
      expect(best?.score).toBeCloseTo(1, 5);
      expect(best?.metadata).toEqual(metadataOf(17));
    });

    it.each(FILTER_CASES)('filters with %s', async (_name, filter, holds) => {
      const query = randomVectors(1, dimension, 11)[0]!;
      const got = await store().query(ns('cases'), query, { topK: 200, filter });
      const want = bruteForce(query, holds);
      expect(want.length).toBeGreaterThan(0);
      expect(got.map((m) => m.id).sort()).toEqual(want.map((m) => m.id).sort());
      expect(got.map((m) => m.score)).toEqual([...got.map((m) => m.score)].sort((a, b) => b - a));
    });

    it('leaves excludeId out and still returns topK', async () => {
      const got = await store().query(ns('cases'), items[3]!.vector, { topK: 3, excludeId: 'case-3' });
      expect(got.map((m) => m.id)).toEqual(
        bruteForce(items[3]!.vector)
          .slice(1, 4)
          .map((m) => m.id),
      );
    });

    it('keeps namespaces apart and counts each', async () => {
      const [a, b] = [ns('iso-a'), ns('iso-b')];
      await store().upsert(a, [{ id: 'x', vector: vectors[0]!, metadata: { side: 'a' } }]);
      await store().upsert(b, [
        { id: 'x', vector: vectors[0]!, metadata: { side: 'b' } },
        { id: 'y', vector: vectors[1]!, metadata: { side: 'b' } },
      ]);
      const got = await store().query(a, vectors[1]!, { topK: 10 });
      expect(got.map((m) => [m.id, m.metadata.side])).toEqual([['x', 'a']]);
      const stats = await store().stats();
      expect([stats.namespaces[a], stats.namespaces[b], stats.dimension]).toEqual([
        { vectorCount: 1 },
        { vectorCount: 2 },
        dimension,
      ]);
    });

    it('upserts idempotently, and a second upsert of an id replaces it', async () => {
      const space = ns('idem');
      const two = items.slice(0, 2);
      await store().upsert(space, two);
      await store().upsert(space, two);
      expect((await store().stats()).namespaces[space]).toEqual({ vectorCount: 2 });
      await store().upsert(space, [{ id: 'case-0', vector: vectors[5]!, metadata: { label: 'moved' } }]);
      const [best] = await store().query(space, vectors[5]!, { topK: 1 });
      expect([best?.id, best?.metadata]).toEqual(['case-0', { label: 'moved' }]);
    });

    it('merges a metadata update into what is stored; an unknown id is left alone', async () => {
      const space = ns('meta');
      await store().upsert(space, [items[4]!]);
      await store().updateMetadata(space, 'case-4', { label: 'legit', reviewed: true });
      await store().updateMetadata(space, 'nobody', { label: 'legit' });
      const got = await store().query(space, items[4]!.vector, { topK: 5 });
      expect(got).toHaveLength(1);
      expect(got[0]?.metadata).toEqual({ ...metadataOf(4), label: 'legit', reviewed: true });
    });

    it('stores and matches values with quotes and SQL in them verbatim', async () => {
      const space = ns('quotes');
      const tricky = `O'Brien"); DROP TABLE case_vectors; --`;
      await store().upsert(space, [{ id: `id '1'`, vector: vectors[0]!, metadata: { who: tricky, tags: [tricky] } }]);
      const got = await store().query(space, vectors[0]!, {
        topK: 1,
        filter: { who: tricky, tags: { $in: [tricky] } },
      });
      expect(got.map((m) => [m.id, m.metadata.who])).toEqual([[`id '1'`, tricky]]);
    });

    it.each([
      ['upsert', (s: VectorStore) => s.upsert(ns('dim'), [{ id: 'a', vector: [1, 2, 3], metadata: {} }])],
      ['query', (s: VectorStore) => s.query(ns('cases'), [1, 2, 3], { topK: 1 })],
    ])('rejects a vector of the wrong dimension (%s), not retryable', async (_name, call) => {
      const failure = await failureOf(call(store()));
      expect([failure.type, failure.nonRetryable]).toEqual([VectorFailureType.Rejected, true]);
      expect(failure.message).toMatch(/dimension/);
    });

    it.each([
      ['a zero vector', (s: VectorStore) => s.upsert(ns('bad'), [{ id: 'z', vector: [0, 0, 0], metadata: {} }])],
      [
        'null metadata',
        (s: VectorStore) => s.upsert(ns('bad'), [{ id: 'n', vector: vectors[0]!, metadata: { a: null } as never }]),
      ],
      ['nested metadata', (s: VectorStore) => s.updateMetadata(ns('bad'), 'n', { a: { b: 1 } } as never)],
      [
        'an unknown operator',
        (s: VectorStore) => s.query(ns('cases'), vectors[0]!, { topK: 1, filter: { label: { $regex: 'x' } } as never }),
      ],
      [
        'a field name with SQL',
        (s: VectorStore) => s.query(ns('cases'), vectors[0]!, { topK: 1, filter: { "x'); --": 1 } }),
      ],
      ['an empty namespace', (s: VectorStore) => s.query('', vectors[0]!, { topK: 1 })],
      ['topK 0', (s: VectorStore) => s.query(ns('cases'), vectors[0]!, { topK: 0 })],
    ])('rejects %s before it reaches the store, not retryable', async (_name, call) => {
      const failure = await failureOf(call(store()));
      expect([failure.type, failure.nonRetryable]).toEqual([VectorFailureType.Rejected, true]);
    });
  });
}
