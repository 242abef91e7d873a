import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../core/model-version';
import type { ModelAdapter, ModelInput, Prediction } from '../models/adapter';
import { withCache } from '../models/cached-adapter';
import { cacheKey, createResultCache, MemoryCache, type ResultCache } from '../stores/cache';
import { classifyRedisError, redisServerOf } from '../stores/redis-errors';

const VERSION: ModelVersion = {
  name: 'doubler',
  version: '3',
  kind: 'http-json',
  uri: 'http://127.0.0.1:1/unused',
  config: {},
  inputSchema: {},
  outputSchema: {},
  metrics: {},
  createdAt: new Date(0).toISOString(),
  deprecatedAt: null,
  deprecationReason: null,
};
const OPTIONS = { deadline: Date.now() + 60_000 };

/** Doubles `x`; records every batch it is asked; fails while `failing` is set. */
function countingAdapter() {
  const calls: ModelInput[][] = [];
  const state = { failing: false };
  const adapter: ModelAdapter = {
    version: VERSION,
    probe: () => Promise.resolve(),
    close: () => Promise.resolve(),
    predict(inputs): Promise<Prediction> {
      calls.push([...inputs]);
      if (state.failing) return Promise.reject(new Error('model down'));
      const outputs = inputs.map((i) => ({ score: (i.x as number) * 2 }));
      return Promise.resolve({ outputs, usage: { inputTokens: inputs.length, outputTokens: 0, totalTokens: 1 } });
    },
  };
  return { adapter, calls, state };
}

describe('MemoryCache', () => {
  it('expires an entry after its TTL on its clock', async () => {
    let now = 1_000;
    const cache = new MemoryCache({ now: () => now });
    await cache.set('k', { score: 1 }, 2);
    now += 1_999;
    expect(await cache.get('k')).toEqual({ score: 1 });
    now += 2;
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, errors: 0 });
  });

  it('returns copies, evicts the least recently used past max, and counts what it cannot store', async () => {
    const cache = new MemoryCache({ max: 2 });
    await cache.set('a', { list: [1] }, 60);
    ((await cache.get('a')) as { list: number[] }).list.push(2);
    expect(await cache.get('a')).toEqual({ list: [1] });
    await cache.set('b', 2, 60);
    await cache.set('c', 3, 60);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual([undefined, 2, 3]);
    await cache.set('big', { n: 1n }, 60);
    await cache.set('nothing', undefined, 60);
    expect(cache.stats().errors).toBe(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a TTL of %s as a programming error', async (ttl) => {
    await expect(new MemoryCache().set('k', 1, ttl)).rejects.toThrow(RangeError);
    expect(() => withCache(countingAdapter().adapter, new MemoryCache(), ttl)).toThrow(RangeError);
  });
});

describe('cacheKey', () => {
  it.each([
    ['flat key order', { a: 1, b: 'x' }, { b: 'x', a: 1 }],
    ['nested key order', { o: { y: [1, { q: 1, p: 2 }], x: null } }, { o: { x: null, y: [1, { p: 2, q: 1 }] } }],
    ['integer-like keys', { 10: 'a', 2: 'b', z: 0 }, { z: 0, 2: 'b', 10: 'a' }],
  ])('ignores %s', (_name, a: Record<string, unknown>, b: Record<string, unknown>) => {
    expect(cacheKey('m@1', a)).toBe(cacheKey('m@1', b));
  });

  it.each([
    ['array order', { v: [1, 2] }, { v: [2, 1] }],
    ['values', { a: 1 }, { a: '1' }],
    ['nesting', { a: { b: 1 } }, { 'a.b': 1 }],
  ])('tells apart %s', (_name, a: Record<string, unknown>, b: Record<string, unknown>) => {
    expect(cacheKey('m@1', a)).not.toBe(cacheKey('m@1', b));
  });

  it('is the version id and a sha256, and differs between versions', () => {
    expect(cacheKey('m@1', { a: 1 })).toMatch(/^m@1:[0-9a-f]{64}$/);
    expect(cacheKey('m@1', { a: 1 })).not.toBe(cacheKey('m@2', { a: 1 }));
  });
});

describe('withCache', () => {
  it('answers a repeated batch from the cache without calling the model', async () => {
    const { adapter, calls } = countingAdapter();
    const cache = new MemoryCache();
    const cached = withCache(adapter, cache, 60);
    const first = await cached.predict([{ x: 1 }, { x: 2 }], OPTIONS);
    const second = await cached.predict([{ x: 2 }, { x: 1 }], OPTIONS);
    expect(first.outputs).toEqual([{ score: 2 }, { score: 4 }]);
    expect(first.usage?.inputTokens).toBe(2);
    expect(second).toEqual({ outputs: [{ score: 4 }, { score: 2 }] });
    expect(calls).toHaveLength(1);
    expect(cache.stats()).toEqual({ hits: 2, misses: 2, errors: 0 });
  });

  it('asks the model for the misses only, in order, once per distinct row, and answers in the original order', async () => {
    const { adapter, calls } = countingAdapter();
    const cached = withCache(adapter, new MemoryCache(), 60);
    await cached.predict([{ x: 2 }, { x: 4 }], OPTIONS);
    const mixed = await cached.predict([{ x: 5 }, { x: 2 }, { x: 3 }, { x: 5 }, { x: 4 }, { x: 1 }], OPTIONS);
    expect(calls[1]).toEqual([{ x: 5 }, { x: 3 }, { x: 1 }]);
    expect(mixed.outputs.map((o) => o.score)).toEqual([10, 4, 6, 10, 8, 2]);
    expect(mixed.usage?.inputTokens).toBe(3);
  });

  it('stores nothing from a failed call', async () => {
    const { adapter, calls, state } = countingAdapter();
    const cached = withCache(adapter, new MemoryCache(), 60);
    state.failing = true;
    await expect(cached.predict([{ x: 1 }], OPTIONS)).rejects.toThrow('model down');
    state.failing = false;
    expect((await cached.predict([{ x: 1 }], OPTIONS)).outputs).toEqual([{ score: 2 }]);
    expect(calls).toHaveLength(2);
  });

  it('treats a cached value that is not an output row as a miss', async () => {
    const { adapter, calls } = countingAdapter();
    const cache = new MemoryCache();
    await cache.set(cacheKey('doubler@3', { x: 1 }), [1, 2], 60);
    expect((await withCache(adapter, cache, 60).predict([{ x: 1 }], OPTIONS)).outputs).toEqual([{ score: 2 }]);
    expect(calls).toEqual([[{ x: 1 }]]);
  });

  it('fails (and caches nothing) when the model answers the wrong number of rows', async () => {
    const { adapter } = countingAdapter();
    const cache = new MemoryCache();
    const short: ModelAdapter = { ...adapter, predict: () => Promise.resolve({ outputs: [] }) };
    await expect(withCache(short, cache, 60).predict([{ x: 1 }], OPTIONS)).rejects.toMatchObject({
      type: 'Model.InvalidOutput',
      nonRetryable: true,
    });
    expect(await cache.get(cacheKey('doubler@3', { x: 1 }))).toBeUndefined();
  });
});

describe('createResultCache and Redis errors', () => {
  it.each([{}, { REDIS_URL: '' }, { REDIS_URL: '  ' }])('is in memory for %j', async (env) => {
    const cache: ResultCache = await createResultCache(env);
    expect(cache.kind).toBe('memory');
    await cache.close();
  });

  it.each(['http://cache:6379', 'localhost:6379'])('refuses %s as REDIS_URL', async (url) => {
    await expect(createResultCache({ REDIS_URL: url })).rejects.toThrow(/not a redis:\/\/ or rediss:\/\/ URL/);
  });

  it.each([
    ['redis://u:pw@h:1/0', 'h:1'],
    ['rediss://h:6380', 'h:6380'],
    ['redis://:pw@cache', 'cache:6379'],
    ['not a url', '<unparseable URL>'],
  ])('names %s by host and port only', (url, shown) => expect(redisServerOf(url)).toBe(shown));

  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'connection'],
    [new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'connection'],
    [new Error('Connection is closed.'), 'connection'],
    [new Error('Command timed out'), 'timeout'],
    [new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), 'command'],
    [new SyntaxError('Unexpected token'), 'command'],
    ['a string', 'command'],
  ])('classifies %s', (err, kind) => expect(classifyRedisError(err)).toBe(kind));
});
