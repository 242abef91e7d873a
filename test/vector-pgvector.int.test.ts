import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { Failure } from '../core/failures';
import { openPool } from '../stores/db';
import { migrate } from '../stores/migrations';
import { PgVectorStore } from '../stores/vector/pgvector';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { failureOf } from './helpers/failures';
import { randomVectors, vectorStoreContract } from './helpers/fake-pinecone';

const VectorFailureType = Failure.Vector;

const DIMENSION = 9;

/** The type of case_vectors.embedding, or undefined when the table does not exist. */
async function columnType(pool: Pool): Promise<string | undefined> {
  const { rows } = await pool.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = to_regclass('case_vectors') AND attname = 'embedding'`,
  );
  return rows[0]?.type;
}

// The suite's database: PGlite with pgvector, or DATABASE_URL's PostgreSQL (CI builds pgvector for it).
describe('PgVectorStore on PostgreSQL with pgvector', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PgVectorStore;
  let embeddingType: string | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool;
    await migrate(pool);
    embeddingType = await columnType(pool);
    store = new PgVectorStore(pool, { dimension: DIMENSION });
    await store.init();
  });
  afterAll(async () => {
    await store?.close();
    await db?.close();
  });

  it(`runs on ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'the embedded PGlite'}`, () => {
    expect(db.kind).toBe(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  });

  vectorStoreContract({ store: () => store, dimension: DIMENSION });

  it('the migration (not the store) creates case_vectors with an untyped vector column', () => {
    expect(embeddingType).toBe('vector');
  });

  it('ignores rows another embedder left in the table instead of failing the query', async () => {
    const older = new PgVectorStore(pool, { dimension: 4 });
    await older.upsert('mixed', [{ id: 'old', vector: [1, 0, 0, 0], metadata: {} }]);
    const [vector] = randomVectors(1, DIMENSION, 3);
    await store.upsert('mixed', [{ id: 'new', vector: vector!, metadata: {} }]);
    const got = await store.query('mixed', vector!, { topK: 10 });
    expect(got.map((m) => m.id)).toEqual(['new']);
    expect((await store.stats()).namespaces.mixed).toEqual({ vectorCount: 2 });
  });
});

describe('PgVectorStore on a PostgreSQL without pgvector', () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let url: string;
  let pool: Pool;

  beforeAll(async () => {
    // A bare PGlite (no extensions loaded) is a PostgreSQL where `CREATE EXTENSION vector` fails.
    db = await PGlite.create('memory://');
    const port = await freePort();
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 8 });
    await server.start();
    url = `postgres://postgres:secret@127.0.0.1:${port}/postgres?sslmode=disable`;
    pool = await openPool(url, { max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    await db?.close();
  });

  it('migrates anyway, leaving case_vectors out', async () => {
    await migrate(pool);
    expect(await columnType(pool)).toBeUndefined();
    const { rows } = await pool.query<{ version: number }>('SELECT version FROM arbiter_migrations WHERE version = 4');
    expect(rows).toEqual([{ version: 4 }]);
  });

  it('fails at first use with one clear, non-retryable error that names no server', async () => {
    const store = new PgVectorStore(pool, { dimension: DIMENSION });
    const failure = await failureOf(store.init());
    expect([failure.type, failure.nonRetryable]).toEqual([VectorFailureType.NotInstalled, true]);
    expect(failure.message).toMatch(
      /^pgvector is not installed on this PostgreSQL: CREATE EXTENSION vector failed \(extension "vector" is not available\) on the worker's database \(DATABASE_URL\)/,
    );
    // The message becomes a decision's reason, which API callers read: no user, password, host, port or database.
    expect(failure.message).not.toMatch(/postgres:\/\/|secret|127\.0\.0\.1|:\d{4,5}\b/);
    expect(failure.message).not.toContain(url);
    const again = await failureOf(store.query('any', randomVectors(1, DIMENSION, 1)[0]!, { topK: 1 }));
    expect(again.message).toBe(failure.message);
  });
});

describe('PgVectorStore when PostgreSQL is unreachable', () => {
  it('fails retryably as Vector.Unavailable', async () => {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
    const failure = await failureOf(new PgVectorStore(pool, { dimension: DIMENSION }).init());
    await pool.end();
    expect([failure.type, failure.nonRetryable]).toEqual([VectorFailureType.Unavailable, false]);
  });
});
