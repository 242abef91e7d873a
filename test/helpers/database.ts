import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { freePort } from '../../cli/stack/ports';
import { openPool } from '../../stores/db';
import { startEmbeddedPostgres } from '../../stores/embedded-pg';
import { migrate } from '../../stores/migrations';

export interface TestDatabase {
  pool: Pool;
  url: string;
  kind: 'postgres' | 'pglite';
  /** The suite's schema on a real PostgreSQL (put it first on a pool's search path); undefined on PGlite. */
  schema?: string;
  /** PGlite's registry watch (`EmbeddedPostgres.registryGeneration`), as the embedded stack's worker uses it. */
  registryGeneration?: () => string | undefined;
  close(): Promise<void>;
}

/**
 * A migrated database for one suite: with DATABASE_URL, a fresh schema on that real PostgreSQL;
 * without it, an in-memory PGlite served over TCP exactly as the embedded stack serves it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = await openPool(url, { max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    // pgvector once per database, in public: created from a suite's schema it would vanish with it.
    await admin.query('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public').catch(() => undefined);
    const pool = await openPool(url, { schema });
    await migrate(pool);
    return {
      pool,
      url,
      kind: 'postgres',
      schema,
      async close() {
        await pool.end();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  }
  const pg = await startEmbeddedPostgres({ port: await freePort() });
  const pool = await openPool(pg.url);
  await migrate(pool);
  return {
    pool,
    url: pg.url,
    kind: 'pglite',
    registryGeneration: pg.registryGeneration,
    async close() {
      await pool.end();
      await pg.stop();
    },
  };
}
