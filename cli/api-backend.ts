import type { Pool } from 'pg';
import { ArbiterClient } from '../client';
import { openDatabase } from '../admin/database';
import { caseLimitsOf, databaseUrlOf, type ArbiterEnv } from '../config/env';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import { startCliMetrics } from './metrics';
import { encryptionKeysOf } from '../config/encryption';
import { withDatabase } from './stack/attach';
import { assertPortFree } from './stack/ports';
import { startStack } from './stack/stack';

/** What the HTTP API runs on: a client of a running Arbiter and a pool on its database. */
export interface ApiBackend {
  client: ArbiterClient;
  pool: Pool;
  /** This process's metrics (the embedded stack's, when it runs here): the API's own join them. */
  metrics: ArbiterMetrics;
}

const listening = (port: number) =>
  assertPortFree(port, '', '').then(
    () => false,
    () => true,
  );

/** A server-sized pool on DATABASE_URL or the running embedded database; else the database withDatabase opens. */
async function withPool<T>(env: ArbiterEnv, fn: (pool: Pool) => Promise<T>): Promise<T> {
  if (!env.DATABASE_URL && !(await listening(env.ARBITER_PG_PORT))) return withDatabase(env, fn);
  const pool = await openDatabase(databaseUrlOf(env));
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/**
 * Runs `fn` attached to a running Arbiter (TEMPORAL_ADDRESS, or an `arbiter dev` on the embedded
 * ports), or on the embedded stack started for it and stopped after.
 */
export async function withApiBackend<T>(
  env: ArbiterEnv,
  say: (msg: string) => void,
  fn: (backend: ApiBackend) => Promise<T>,
): Promise<T> {
  // ARBITER_METRICS_PORT (off by default here: the API also answers GET /metrics on its own port).
  const { metrics, server } = await startCliMetrics(env, undefined);
  try {
    return await onBackend(env, say, metrics, fn);
  } finally {
    await server?.close();
  }
}

async function onBackend<T>(
  env: ArbiterEnv,
  say: (msg: string) => void,
  metrics: ArbiterMetrics,
  fn: (backend: ApiBackend) => Promise<T>,
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
      say(`attached to Arbiter at ${address}`);
      return await withPool(env, (pool) => fn({ client, pool, metrics }));
    } finally {
      await client.close();
    }
  }
  say(`no Arbiter is running; starting the embedded stack in ${env.ARBITER_DATA_DIR}`);
  const stack = await startStack(env, say, { metrics });
  try {
    return await fn({ client: stack.client, pool: stack.pool, metrics });
  } finally {
    await stack.stop();
  }
}
