import type { Pool } from 'pg';

/**
 * Runs `fn` with the database: DATABASE_URL's, the running stack's, or the embedded one opened for
 * this command (so the lab's commands work right after `arbiter demo --once`, with nothing running).
 */
export async function withDb<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  const [{ loadEnv }, { withDatabase }] = await Promise.all([import('../config/env'), import('./stack/attach')]);
  return withDatabase(loadEnv(), fn);
}
