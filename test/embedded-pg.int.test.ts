import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { openPool } from '../stores/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../stores/embedded-pg';

let pg: EmbeddedPostgres;
let pool: Pool;

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ port: await freePort() });
  pool = await openPool(pg.url, { max: 8 });
  await pool.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
});
afterAll(async () => {
  await pool?.end();
  await pg?.stop();
});

describe('the embedded PostgreSQL under concurrent clients', () => {
  // Without keeping each Parse/Bind/Execute batch together, this fails with "unnamed prepared
  // statement does not exist" and then stalls (electric-sql/pglite#1046).
  it('answers parameterised queries and transactions from 8 connections at once, each correctly', async () => {
    const problems: string[] = [];
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        try {
          if (i % 3 === 0) {
            const client = await pool.connect();
            try {
              await client.query('BEGIN');
              await client.query('INSERT INTO t VALUES ($1, $2)', [i, `v${i}`]);
              const { rows } = await client.query<{ v: string }>('SELECT v FROM t WHERE id = $1', [i]);
              if (rows[0]?.v !== `v${i}`) problems.push(`${i}: read ${rows[0]?.v}`);
              await client.query('COMMIT');
            } finally {
              client.release();
            }
          } else {
            const { rows } = await pool.query<{ n: number; t: string }>('SELECT $1::int + 1 AS n, $2::text AS t', [
              i,
              `x${i}`,
            ]);
            if (rows[0]?.n !== i + 1 || rows[0]?.t !== `x${i}`) problems.push(`${i}: got ${JSON.stringify(rows[0])}`);
          }
        } catch (err) {
          problems.push(`${i}: ${String(err)}`);
        }
      }),
    );
    expect(problems).toEqual([]);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
    expect(rows[0]?.n).toBe(100);
  }, 60_000);
});
