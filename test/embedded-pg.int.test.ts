import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { openPool } from '../stores/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../stores/embedded-pg';
import { prepared } from '../stores/prepared';

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

describe('named statements on the embedded PostgreSQL', () => {
  // PGlite has one session for every connection: without the shared view, the second connection
  // to prepare a name failed with 'prepared statement "…" already exists'.
  it('lets every connection prepare the same named statement, each reading its own values', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => pool.connect()));
    try {
      const query = (i: number) => prepared('SELECT $1::int * 2 AS n, $2::text AS t', [i, `c${i}`]);
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(clients.map((c, i) => c.query<{ n: number; t: string }>(query(i + round))));
        expect(answers.map((a) => a.rows[0])).toEqual(
          clients.map((_, i) => ({ n: 2 * (i + round), t: `c${i + round}` })),
        );
      }
    } finally {
      clients.forEach((c) => c.release());
    }
  });

  it('never answers for a name prepared with other text: that Parse reaches PGlite, which refuses it', async () => {
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    try {
      await a.query({ name: 'two_texts', text: 'SELECT 1 AS n' });
      await expect(b.query({ name: 'two_texts', text: 'SELECT 2 AS n' })).rejects.toThrow(/already exists/);
      // The refused batch left nothing behind: the connection answers its next query.
      expect((await b.query<{ n: number }>('SELECT 3 AS n')).rows[0]?.n).toBe(3);
    } finally {
      a.release();
      b.release();
    }
  });

  it('forgets a name a DEALLOCATE drops, so the next connection prepares it again', async () => {
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    try {
      const query = { name: 'dropped', text: 'SELECT $1::int AS n' };
      await a.query({ ...query, values: [1] });
      await a.query('DEALLOCATE dropped');
      // Answered from the view's memory, b's Bind would find no statement.
      expect((await b.query<{ n: number }>({ ...query, values: [2] })).rows[0]?.n).toBe(2);
      await b.query('DEALLOCATE ALL');
      const [c] = [await pool.connect()];
      try {
        expect((await c.query<{ n: number }>({ ...query, values: [3] })).rows[0]?.n).toBe(3);
      } finally {
        c.release();
      }
    } finally {
      // Both hold statements the session no longer has: not for reuse.
      a.release(true);
      b.release(true);
    }
  });

  it('keeps named statements working under 8 connections at once with transactions between them', async () => {
    await pool.query('CREATE TABLE named (id int PRIMARY KEY, v text)');
    const insert = (i: number) => prepared('INSERT INTO named VALUES ($1, $2) ON CONFLICT DO NOTHING', [i, `v${i}`]);
    const read = (i: number) => prepared('SELECT v FROM named WHERE id = $1', [i]);
    const problems: string[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        try {
          if (i % 4 === 0) {
            const client = await pool.connect();
            try {
              await client.query('BEGIN');
              await client.query(insert(i));
              await client.query('COMMIT');
            } finally {
              client.release();
            }
          } else await pool.query(insert(i));
          const { rows } = await pool.query<{ v: string }>(read(i));
          if (rows[0]?.v !== `v${i}`) problems.push(`${i}: read ${rows[0]?.v}`);
        } catch (err) {
          problems.push(`${i}: ${String(err)}`);
        }
      }),
    );
    expect(problems).toEqual([]);
  }, 60_000);
});
