import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { canonicalJson } from '../core/canonical-json';
import { classifyRedisError, redisServerOf, RedisUnreachableError, type RedisErrorKind } from './redis-errors';

/** Counters since the cache was opened. A failed `get` counts as a miss and as an error. */
export interface CacheStats {
  hits: number;
  misses: number;
  errors: number;
}

/**
 * A best-effort store of JSON values with a TTL. It never throws over an outage: a failed `get`
 * is a miss, a failed `set` is dropped, and both are counted in `stats()`.
 */
export interface ResultCache {
  readonly kind: 'redis' | 'memory';
  /** The stored value, or `undefined` when absent, expired or unreadable. */
  get(key: string): Promise<unknown>;
  /** Stores `value` as JSON for `ttlSeconds` (a positive integer; anything else is a RangeError). */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  stats(): CacheStats;
  close(): Promise<void>;
}

/** Throws unless `ttlSeconds` is a positive whole number (what Redis `EX` accepts). */
export function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`a cache TTL must be a positive whole number of seconds, got ${ttlSeconds}`);
  }
}

function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`a ${typeof value} is not a JSON value`);
  return json;
}

/**
 * `versionId:sha256(canonical input)`. Versions are immutable, so a version and an input fully
 * determine the output, whichever worker computed it.
 */
export function cacheKey(versionId: string, input: Record<string, unknown>): string {
  return `${versionId}:${createHash('sha256').update(canonicalJson(input)).digest('hex')}`;
}

export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first. @default 10_000 */
  max?: number;
  /** The clock TTLs are measured on, in milliseconds (tests move it). @default performance.now */
  now?: () => number;
}

/** One process's cache, for the embedded stack and tests: used when `REDIS_URL` is unset. */
export class MemoryCache implements ResultCache {
  readonly kind = 'memory';
  private readonly lru: LRUCache<string, string>;
  private readonly counters: CacheStats = { hits: 0, misses: 0, errors: 0 };

  constructor({ max = 10_000, now }: MemoryCacheOptions = {}) {
    // ttlResolution 0: read the clock on every check rather than reuse a reading for 1 ms, so an
    // injected clock that jumps is seen at once.
    this.lru = new LRUCache<string, string>({ max, ttlResolution: 0, ...(now ? { perf: { now } } : {}) });
  }

  // Stored as JSON text, like Redis: a caller mutating an output cannot change the cache, and
  // both kinds return the same values.
  get(key: string): Promise<unknown> {
    const json = this.lru.get(key);
    if (json === undefined) this.counters.misses++;
    else this.counters.hits++;
    return Promise.resolve(json === undefined ? undefined : (JSON.parse(json) as unknown));
  }

  set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    // An executor's throw rejects: a bad TTL rejects like RedisCache's, never throws synchronously.
    return new Promise((resolve) => {
      assertTtl(ttlSeconds);
      try {
        this.lru.set(key, toJson(value), { ttl: ttlSeconds * 1000 });
      } catch {
        this.counters.errors++;
      }
      resolve();
    });
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}

export interface RedisCacheOptions {
  /** Prepended to every key, so deployments (or test suites) can share one Redis. @default 'arbiter:cache:' */
  prefix?: string;
  /** Milliseconds a command may take; later it fails and counts as a miss. A cache must never slow a decision. @default 50 */
  commandTimeout?: number;
  /** Milliseconds the first connect may take before `open` fails. @default 1_000 */
  connectTimeout?: number;
  /** Told of every failure (connection events included), for logs; the cache only counts them. @default none */
  onError?: (err: Error, kind: RedisErrorKind) => void;
}

/** Accepts only what ioredis reads as a single-server URL. */
const RedisUrlSchema = z.url({ protocol: /^rediss?$/ });
const MAX_RECONNECT_DELAY_MS = 2_000;

/** A cache shared by every worker pointed at one Redis. Open it with `RedisCache.open`. */
export class RedisCache implements ResultCache {
  readonly kind = 'redis';
  private readonly counters: CacheStats = { hits: 0, misses: 0, errors: 0 };

  private constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly onError?: (err: Error, kind: RedisErrorKind) => void,
  ) {}

  /** Connects now, so a wrong URL fails at start with one RedisUnreachableError. */
  static async open(url: string, options: RedisCacheOptions = {}): Promise<RedisCache> {
    const { prefix = 'arbiter:cache:', commandTimeout = 50, connectTimeout = 1_000, onError } = options;
    if (!RedisUrlSchema.safeParse(url).success) {
      throw new RedisUnreachableError(redisServerOf(url), new Error('not a redis:// or rediss:// URL'));
    }
    let started = false;
    let lastError: Error | undefined;
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout,
      commandTimeout,
      // No queue while disconnected: a command fails at once (a miss) instead of waiting.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // At start, no retries: fail with the first error. Once up, reconnect in the background.
      retryStrategy: (attempt) => (started ? Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS) : null),
    });
    // Also keeps ioredis from printing "Unhandled error event" for every reconnect attempt.
    client.on('error', (err: Error) => {
      lastError = err;
      onError?.(err, classifyRedisError(err));
    });
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      throw new RedisUnreachableError(redisServerOf(url), lastError ?? err);
    }
    started = true;
    return new RedisCache(client, prefix, onError);
  }

  async get(key: string): Promise<unknown> {
    try {
      const json = await this.client.get(this.prefix + key);
      if (json === null) {
        this.counters.misses++;
        return undefined;
      }
      const value = JSON.parse(json) as unknown;
      this.counters.hits++;
      return value;
    } catch (err) {
      this.failed(err);
      this.counters.misses++;
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    try {
      await this.client.set(this.prefix + key, toJson(value), 'EX', ttlSeconds);
    } catch (err) {
      this.failed(err);
    }
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // The server went away meanwhile: just drop the socket.
      }
    }
    this.client.disconnect();
  }

  private failed(err: unknown): void {
    this.counters.errors++;
    this.onError?.(err instanceof Error ? err : new Error(String(err)), classifyRedisError(err));
  }
}

/** Where the cache comes from: the process environment, or a test's own. */
export interface ResultCacheEnv {
  REDIS_URL?: string;
}

/** Redis when `REDIS_URL` is set (connected now: a bad URL fails at start), else in memory. */
export async function createResultCache(
  env: ResultCacheEnv,
  options: { redis?: RedisCacheOptions; memory?: MemoryCacheOptions } = {},
): Promise<ResultCache> {
  const url = env.REDIS_URL?.trim();
  return url ? RedisCache.open(url, options.redis) : new MemoryCache(options.memory);
}
