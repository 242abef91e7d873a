import pg from 'pg';
import { redactConnectionStrings } from '../core/redact';

/**
 * Raised when DATABASE_URL cannot be reached or refuses us; the message says why and which host and
 * port, never the connection string (user, password and database stay out of terminals and logs).
 */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot connect to the database of DATABASE_URL at ${serverOf(url)}: ${describe(cause)}`, { cause });
    this.name = 'DatabaseUnreachableError';
  }
}

/** `host:port` of a connection string, for messages: where, without who or which database. */
export function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return '(unparseable URL)';
  }
}

function describe(err: unknown): string {
  if (err instanceof AggregateError) return err.errors.map(describe).join('; ');
  const e = err as { code?: string; message?: string };
  return redactConnectionStrings([e.code, e.message].filter(Boolean).join(' ') || String(err));
}

/** Pool options with the defaults Arbiter relies on. */
export interface PoolOptions {
  /** @default 10 */
  max?: number;
  /** @default 5000 */
  connectionTimeoutMillis?: number;
  /** A schema to put first on the search path (tests isolate themselves this way). @default undefined */
  schema?: string;
}

/** Opens a pool and proves it works with one round trip, so a bad URL fails at start, not mid-decision. */
export async function openPool(url: string, options: PoolOptions = {}): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
    ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnreachableError(url, err);
  }
  return pool;
}
