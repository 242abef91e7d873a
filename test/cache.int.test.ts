import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import type { ModelVersion } from '../core/model-version';
import type { ModelAdapter, ModelInput } from '../models/adapter';
import { withCache } from '../models/cached-adapter';
import { createResultCache, RedisCache, type RedisCacheOptions } from '../stores/cache';
import { RedisUnreachableError, type RedisErrorKind } from '../stores/redis-errors';
import { startRedis, type RunningRedis } from './helpers/redis';

// The semantic tests allow a generous command timeout: on a loaded CI machine a stalled event loop
// could time out a 50 ms command and turn an expected hit into a (correct, but unasserted) miss.
// The default 50 ms is what the hung-server test below exercises.
const PATIENT: RedisCacheOptions = { commandTimeout: 2_000 };
const OPTIONS = { deadline: Date.now() + 600_000 };
const VERSION = {
  name: 'doubler',
  version: '1',
  kind: 'http-json',
  uri: 'http://127.0.0.1:1/unused',
  config: {},
  inputSchema: {},
  outputSchema: {},
  metrics: {},
  createdAt: new Date(0).toISOString(),
  deprecatedAt: null,
  deprecationReason: null,
} satisfies ModelVersion;

/** Doubles `x`; `calls` holds every batch it was asked. */
function worker(): { adapter: ModelAdapter; calls: ModelInput[][] } {
  const calls: ModelInput[][] = [];
  const adapter: ModelAdapter = {
    version: VERSION,
    probe: () => Promise.resolve(),
    close: () => Promise.resolve(),
    predict(inputs) {
      calls.push([...inputs]);
      return Promise.resolve({ outputs: inputs.map((i) => ({ score: (i.x as number) * 2 })) });
    },
  };
  return { adapter, calls };
}

let redis: RunningRedis;
let raw: Redis;
const opened: { close(): Promise<void> }[] = [];
async function open(options: RedisCacheOptions = PATIENT, url = redis.url): Promise<RedisCache> {
  const cache = await RedisCache.open(url, options);
  opened.push(cache);
  return cache;
}

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await raw.flushall();
});
afterAll(async () => {
  raw.disconnect();
  await redis.stop();
});

describe('RedisCache on a real redis-server', () => {
  it('stores JSON under the prefix with EX, and a new client reads it back', async () => {
    const first = await open();
    const value = { score: 0.5, tags: ['a', 'b'], nested: { ok: true, none: null } };
    await first.set('m@1:abc', value, 30);
    expect(await first.get('m@1:abc')).toEqual(value);
    expect(await first.get('m@1:nope')).toBeUndefined();
    expect(JSON.parse((await raw.get('arbiter:cache:m@1:abc')) ?? 'null')).toEqual(value);
    expect(await raw.ttl('arbiter:cache:m@1:abc')).toBeGreaterThan(28);
    expect(first.stats()).toEqual({ hits: 1, misses: 1, errors: 0 });
    await first.close();

    const second = await open();
    expect(await second.get('m@1:abc')).toEqual(value);
    const other = await open({ ...PATIENT, prefix: 'elsewhere:' });
    expect(await other.get('m@1:abc')).toBeUndefined();
  });

  it('forgets an entry after its TTL', async () => {
    const cache = await open();
    await cache.set('short', { score: 1 }, 1);
    expect(await cache.get('short')).toEqual({ score: 1 });
    await sleep(1_100);
    expect(await cache.get('short')).toBeUndefined();
  });

  it('counts a value that is not JSON as an error and a miss', async () => {
    const cache = await open();
    await raw.set('arbiter:cache:garbled', '{not json');
    expect(await cache.get('garbled')).toBeUndefined();
    expect(cache.stats()).toEqual({ hits: 0, misses: 1, errors: 1 });
  });

  it('lets two workers share results', async () => {
    const [a, b] = [worker(), worker()];
    const onA = withCache(a.adapter, await open(), 60);
    const onB = withCache(b.adapter, await open(), 60);
    expect((await onA.predict([{ x: 1 }, { x: 2 }], OPTIONS)).outputs).toEqual([{ score: 2 }, { score: 4 }]);
    expect((await onB.predict([{ x: 3 }, { x: 2 }, { x: 1 }], OPTIONS)).outputs).toEqual([
      { score: 6 },
      { score: 4 },
      { score: 2 },
    ]);
    expect(a.calls).toEqual([[{ x: 1 }, { x: 2 }]]);
    expect(b.calls).toEqual([[{ x: 3 }]]);
  });
});

describe('when Redis is in trouble', () => {
  it('answers a hung server as misses within the default 50 ms command timeout', async () => {
    const cache = await open({});
    await cache.set('k', { score: 1 }, 60);
    redis.pause();
    try {
      const started = performance.now();
      expect(await cache.get('k')).toBeUndefined();
      await cache.set('k2', { score: 2 }, 60);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(cache.stats().errors).toBe(2);
    } finally {
      redis.resume();
    }
    await expect.poll(() => cache.get('k'), { timeout: 5_000 }).toEqual({ score: 1 });
  });

  it('keeps model calls working when the server goes away mid-run, counting the errors', async () => {
    const own = await startRedis();
    try {
      const seen: RedisErrorKind[] = [];
      const cache = await open({ onError: (_err, kind) => seen.push(kind) }, own.url);
      const { adapter, calls } = worker();
      const cached = withCache(adapter, cache, 60);
      await cached.predict([{ x: 1 }], OPTIONS);
      expect((await cached.predict([{ x: 1 }], OPTIONS)).outputs).toEqual([{ score: 2 }]);
      expect(calls).toHaveLength(1);

      await own.stop();
      const started = performance.now();
      const after = await cached.predict([{ x: 1 }, { x: 5 }], OPTIONS);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(after.outputs).toEqual([{ score: 2 }, { score: 10 }]);
      expect(calls[1]).toEqual([{ x: 1 }, { x: 5 }]);
      // Two gets and two sets failed.
      expect(cache.stats()).toEqual({ hits: 1, misses: 3, errors: 4 });
      expect(seen).toContain('connection');
    } finally {
      await own.stop();
    }
  });
});

describe('createResultCache', () => {
  it('is Redis when REDIS_URL is set', async () => {
    const cache = await createResultCache({ REDIS_URL: redis.url }, { redis: PATIENT });
    opened.push(cache);
    expect(cache.kind).toBe('redis');
  });

  it('fails fast and clearly, naming host and port but not the URL, when REDIS_URL is unreachable', async () => {
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}/0`;
    const started = performance.now();
    const err = await createResultCache({ REDIS_URL: url }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(RedisUnreachableError);
    const { message, cause } = err as RedisUnreachableError;
    expect(message).toMatch(/^could not connect to Redis at 127\.0\.0\.1:\d+: /);
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toMatch(/hunter2|redis:\/\//);
    expect(cause).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
