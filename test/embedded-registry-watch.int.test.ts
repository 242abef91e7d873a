import type { Pool } from 'pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { openPool } from '../stores/db';
import { REGISTRY_CHANNEL, startEmbeddedPostgres, type EmbeddedPostgres } from '../stores/embedded-pg';
import { migrate } from '../stores/migrations';
import { registryGeneration } from '../stores/registry-generation';

// The embedded database's own registry watch (migration 13's NOTIFY, heard in stores/pglite-session.ts):
// what lets the embedded stack's worker pin without reading registry_generation for each decision.
let db: EmbeddedPostgres;
let pool: Pool;

beforeAll(async () => {
  db = await startEmbeddedPostgres({ port: await freePort() });
  pool = await openPool(db.url, { max: 4 });
  await migrate(pool);
});
afterAll(async () => {
  await pool?.end();
  await db?.stop();
});

describe("the embedded database's registry watch", () => {
  it('changes the moment a registry write commits, before the writer is answered', async () => {
    const before = db.registryGeneration();
    expect(before).toBeDefined();
    // A statement-level trigger: it fires (and bumps) even for a statement that touches no row.
    await pool.query('DELETE FROM rule_sets WHERE name = $1', ['none']);
    const after = db.registryGeneration();
    expect(after).not.toBe(before);
    await pool.query('DELETE FROM models WHERE false');
    expect(db.registryGeneration()).not.toBe(after);
  });

  it('changes at COMMIT, not before it, and not for a write rolled back', async () => {
    const client = await pool.connect();
    try {
      const before = db.registryGeneration();
      await client.query('BEGIN');
      await client.query('DELETE FROM pipelines WHERE false');
      expect(db.registryGeneration()).toBe(before);
      await client.query('ROLLBACK');
      expect(db.registryGeneration()).toBe(before);
      await client.query('BEGIN');
      await client.query('DELETE FROM model_aliases WHERE false');
      await client.query('COMMIT');
      expect(db.registryGeneration()).not.toBe(before);
    } finally {
      client.release();
    }
  });

  it('stays for writes outside the registry, while the table counts only registry writes', async () => {
    const [watched, counted] = [db.registryGeneration(), await registryGeneration(pool)];
    await pool.query('DELETE FROM decisions WHERE false');
    expect([db.registryGeneration(), await registryGeneration(pool)]).toEqual([watched, counted]);
  });

  it("keeps its notifications out of the clients' connections", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const heard: string[] = [];
      client.on('notification', (n) => heard.push(n.channel));
      await client.query(`LISTEN ${REGISTRY_CHANNEL}`);
      await client.query('DELETE FROM models WHERE false');
      await pool.query('DELETE FROM models WHERE false');
      await client.query('SELECT 1');
      expect(heard).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('hears a notification that follows a large result, and passes the result on whole', async () => {
    const before = db.registryGeneration();
    // One simple query, one implicit transaction: the notification comes after 100 kB of rows,
    // which PostgreSQL sends in several flushes of its buffer.
    const results = (await pool.query(
      "DELETE FROM models WHERE false; SELECT repeat('x', 25000) || n AS big FROM generate_series(1, 4) n",
    )) as unknown as { rows: { big: string }[] }[];
    expect(db.registryGeneration()).not.toBe(before);
    expect(results[1]?.rows.map((r) => r.big.length)).toEqual([25001, 25001, 25001, 25001]);
    expect(results[1]?.rows[3]?.big.endsWith('x4')).toBe(true);
  });

  // Last: the session may no longer listen after this, and the watch says so instead of going stale.
  it('gives up (undefined: read the table) once a client sends UNLISTEN', async () => {
    expect(db.registryGeneration()).toBeDefined();
    await pool.query(`UNLISTEN ${REGISTRY_CHANNEL}`);
    expect(db.registryGeneration()).toBeUndefined();
  });
});
