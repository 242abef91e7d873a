import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { Failure } from '../core/failures';
import { PineconeVectorStore } from '../stores/vector/pinecone';
import type { MetadataFilter, VectorStore } from '../stores/vector/types';
import { failureOf } from './helpers/failures';
import { randomVectors, startFakePinecone, vectorStoreContract, type FakePinecone } from './helpers/fake-pinecone';

const VectorFailureType = Failure.Vector;

const DIMENSION = 9;
const API_KEY = 'pc-test-key';
const [V1, V2] = randomVectors(2, DIMENSION, 5) as [number[], number[]];

describe('PineconeVectorStore against a local fake of the data plane', () => {
  let fake: FakePinecone;
  let store: PineconeVectorStore;
  // Port 1 refuses at once: a control-plane call (there must be none) could never reach pinecone.io.
  const options = (extra: object = {}) => ({
    apiKey: API_KEY,
    indexName: 'cases',
    indexHostUrl: fake.hostUrl,
    controllerHostUrl: 'http://127.0.0.1:1',
    ...extra,
  });

  beforeAll(async () => {
    fake = await startFakePinecone({ apiKey: API_KEY, dimension: DIMENSION });
    store = new PineconeVectorStore(options());
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await store?.close();
    await fake?.close();
  });

  vectorStoreContract({ store: () => store, dimension: DIMENSION });

  describe('what the SDK sends', () => {
    it('upserts to /vectors/upsert with the key, API version and namespace', async () => {
      await store.upsert('wire', [
        { id: 'a', vector: V1, metadata: { label: 'legit' } },
        { id: 'b', vector: V2, metadata: {} },
      ]);
      expect(fake.requests).toHaveLength(1);
      const [req] = fake.requests;
      expect([req?.method, req?.path]).toEqual(['POST', '/vectors/upsert']);
      expect(req?.headers['api-key']).toBe(API_KEY);
      expect(req?.headers['x-pinecone-api-version']).toBe('2026-07');
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.body).toEqual({
        vectors: [
          { id: 'a', values: V1, metadata: { label: 'legit' } },
          { id: 'b', values: V2 },
        ],
        namespace: 'wire',
      });
    });

    it('queries /query with namespace, topK and the filter passed through unchanged', async () => {
      const filter: MetadataFilter = { $or: [{ label: 'legit' }, { amount: { $gte: 3 } }] };
      await store.query('wire', V1, { topK: 4, filter });
      expect(fake.requests.map((r) => [r.path, r.body])).toEqual([
        ['/query', { namespace: 'wire', topK: 4, filter, includeMetadata: true, includeValues: false, vector: V1 }],
      ]);
    });

    it('asks for one more when excluding an id', async () => {
      const got = await store.query('wire', V1, { topK: 1, excludeId: 'a' });
      expect(got.map((m) => m.id)).toEqual(['b']);
      expect(fake.requests[0]?.body).toMatchObject({ topK: 2 });
    });

    it('updates through /vectors/update with setMetadata, and reads stats from /describe_index_stats', async () => {
      await store.updateMetadata('wire', 'a', { reviewed: true });
      const stats = await store.stats();
      expect(fake.requests.map((r) => [r.path, r.body])).toEqual([
        ['/vectors/update', { id: 'a', setMetadata: { reviewed: true }, namespace: 'wire' }],
        ['/describe_index_stats', {}],
      ]);
      expect(stats.namespaces.wire).toEqual({ vectorCount: 2 });
    });

    it('sends nothing for input it rejects itself', async () => {
      await failureOf(store.upsert('wire', [{ id: 'z', vector: [0, 0, 0, 0, 0, 0, 0, 0, 0], metadata: {} }]));
      expect(fake.requests).toEqual([]);
    });
  });

  describe('faults', () => {
    type Call = (s: VectorStore) => Promise<unknown>;
    const query: Call = (s) => s.query('faults', V1, { topK: 1 });
    const upsert: Call = (s) => s.upsert('faults', [{ id: 'a', vector: V1, metadata: {} }]);
    const cases: {
      name: string;
      path: string;
      fault: Parameters<FakePinecone['fail']>[1];
      call: Call;
      type: string;
      retryable: boolean;
      delay?: number;
    }[] = [
      {
        name: '429 with retry-after',
        path: '/query',
        fault: { status: 429, headers: { 'retry-after': '7' } },
        call: query,
        type: VectorFailureType.Unavailable,
        retryable: true,
        delay: 7000,
      },
      {
        name: '500',
        path: '/vectors/upsert',
        fault: { status: 500 },
        call: upsert,
        type: VectorFailureType.Unavailable,
        retryable: true,
      },
      {
        name: '503',
        path: '/query',
        fault: { status: 503 },
        call: query,
        type: VectorFailureType.Unavailable,
        retryable: true,
      },
      {
        name: '400',
        path: '/query',
        fault: { status: 400 },
        call: query,
        type: VectorFailureType.Rejected,
        retryable: false,
      },
      {
        name: '404',
        path: '/vectors/upsert',
        fault: { status: 404 },
        call: upsert,
        type: VectorFailureType.Rejected,
        retryable: false,
      },
      {
        name: 'a body that is not JSON',
        path: '/query',
        fault: { rawBody: '<html>gateway</html>' },
        call: query,
        type: VectorFailureType.BadResponse,
        retryable: false,
      },
      {
        name: 'JSON of the wrong shape',
        path: '/query',
        fault: { rawBody: '{"matches":"none"}' },
        call: query,
        type: VectorFailureType.BadResponse,
        retryable: false,
      },
      {
        name: 'an empty 200 body',
        path: '/vectors/upsert',
        fault: { rawBody: '' },
        call: upsert,
        type: VectorFailureType.BadResponse,
        retryable: false,
      },
    ];

    it.each(cases)('$name → $type (retryable: $retryable), one request, cause kept', async (c) => {
      fake.fail(c.path, c.fault);
      const failure = await failureOf(c.call(store));
      expect([failure.type, failure.nonRetryable]).toEqual([c.type, !c.retryable]);
      expect(failure.cause).toBeInstanceOf(Error);
      if (c.delay !== undefined) expect(failure.nextRetryDelay).toBe(c.delay);
      // The SDK would retry 5xx itself (3 more attempts) and lose the status: Temporal retries instead.
      expect(fake.requests).toHaveLength(1);
    });

    it('a wrong API key → non-retryable Vector.Rejected (HTTP 401)', async () => {
      const wrong = new PineconeVectorStore(options({ apiKey: 'nope' }));
      const failure = await failureOf(query(wrong));
      expect([failure.type, failure.nonRetryable, failure.message]).toEqual([
        VectorFailureType.Rejected,
        true,
        expect.stringContaining('HTTP 401'),
      ]);
    });

    it('a slow answer → retryable Vector.Unavailable after the deadline', async () => {
      fake.fail('/query', { delayMs: 2_000 });
      const started = Date.now();
      const failure = await failureOf(query(new PineconeVectorStore(options({ timeoutMs: 200 }))));
      expect([failure.type, failure.nonRetryable]).toEqual([VectorFailureType.Unavailable, false]);
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it('nothing listening → retryable Vector.Unavailable', async () => {
      const gone = new PineconeVectorStore(options({ indexHostUrl: `http://127.0.0.1:${await freePort()}` }));
      const failure = await failureOf(query(gone));
      expect([failure.type, failure.nonRetryable]).toEqual([VectorFailureType.Unavailable, false]);
      expect(failure.message).toMatch(/ECONNREFUSED|fetch failed/);
    });
  });
});
