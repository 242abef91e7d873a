import type { Pool } from 'pg';
import { openPool, type PoolOptions } from '../stores/db';
import type { EmbeddedPostgres, EmbeddedPostgresOptions } from '../stores/embedded-pg';
import { migrate } from '../stores/migrations';

export { DatabaseUnreachableError } from '../stores/db';
export type { EmbeddedPostgres, PoolOptions };

/**
 * Opens a pool on `url` and proves it answers with one round trip.
 * @throws DatabaseUnreachableError naming the (redacted) URL and why
 */
export function openDatabase(url: string, options: PoolOptions = {}): Promise<Pool> {
  return openPool(url, options);
}

/** Opens a pool and brings the schema up to date (each migration once); the pool is closed again if that fails. */
export async function openMigratedDatabase(url: string, options: PoolOptions = {}): Promise<Pool> {
  const pool = await openPool(url, options);
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pool;
}

/**
 * The embedded PostgreSQL (PGlite + pgvector) on a local port, for the dev stack and commands run
 * without one. PGlite is loaded here, on first use: a command attached to a running stack never needs it.
 */
export async function startEmbeddedDatabase(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { startEmbeddedPostgres } = await import('../stores/embedded-pg');
  return startEmbeddedPostgres(options);
}
