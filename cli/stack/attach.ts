import { join, resolve } from 'node:path';
import type { Pool } from 'pg';
import type { ArbiterMetrics } from '../../metrics/arbiter-metrics';
import { ArbiterClient } from '../../client';
import { openDatabase, openMigratedDatabase, startEmbeddedDatabase } from '../../admin/database';
import { caseLimitsOf, databaseUrlOf, type ArbiterEnv } from '../../config/env';
import { encryptionKeysOf } from '../../config/encryption';
import { assertPortFree } from './ports';

const say = (msg: string) => process.stderr.write(`${msg}\n`);

/** Whether something listens on the embedded stack's port (an `arbiter dev` is running). */
async function listening(port: number): Promise<boolean> {
  return assertPortFree(port, '', '').then(
    () => false,
    () => true,
  );
}

/**
 * Runs `fn` with a database pool: DATABASE_URL's, the running embedded stack's, or — when neither
 * is there — the embedded database opened from ARBITER_DATA_DIR for this command alone.
 */
export async function withDatabase<T>(env: ArbiterEnv, fn: (pool: Pool) => Promise<T>): Promise<T> {
  if (env.DATABASE_URL || (await listening(env.ARBITER_PG_PORT))) {
    const pool = await openDatabase(databaseUrlOf(env), { max: 2 });
    try {
      return await fn(pool);
    } finally {
      await pool.end();
    }
  }
  const pg = await startEmbeddedDatabase({
    dataDir: join(resolve(env.ARBITER_DATA_DIR), 'pgdata'),
    port: env.ARBITER_PG_PORT,
  });
  try {
    const pool = await openMigratedDatabase(pg.url, { max: 2 });
    try {
      return await fn(pool);
    } finally {
      await pool.end();
    }
  } finally {
    await pg.stop();
  }
}

/**
 * Runs `fn` with a client of a running Arbiter: TEMPORAL_ADDRESS, the running embedded stack, or —
 * when neither is there — the embedded stack (from ARBITER_DATA_DIR) started for this command alone.
 * Work it leaves waiting (a review) resumes the next time the stack runs.
 */
export async function withArbiter<T>(
  env: ArbiterEnv,
  fn: (client: ArbiterClient) => Promise<T>,
  { metrics }: { metrics?: ArbiterMetrics } = {},
): Promise<T> {
  if (env.TEMPORAL_ADDRESS || (await listening(env.ARBITER_TEMPORAL_PORT))) {
    const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.ARBITER_TEMPORAL_PORT}`;
    const client = await ArbiterClient.connect({
      address,
      encryptionKeys: await encryptionKeysOf(env, { create: false }),
      taskQueue: env.ARBITER_TASK_QUEUE,
      caseLimits: caseLimitsOf(env),
    });
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }
  say(`no Arbiter is running (arbiter dev); starting the embedded stack in ${env.ARBITER_DATA_DIR} for this command`);
  // The worker side (SDK runtime, bundle, adapters) loads only here: attached commands never need it.
  const [{ installCliRuntime }, { startStack }] = await Promise.all([import('../runtime'), import('./stack')]);
  installCliRuntime();
  const stack = await startStack(env, undefined, { metrics });
  try {
    return await fn(stack.client);
  } finally {
    await stack.stop();
  }
}
