import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { inject } from 'vitest';
import { WorkerSlot } from '../../bench/stack/worker-slot';
import { ArbiterClient } from '../../client';
import { openPool } from '../../stores/db';

/**
 * Arbiter as it runs for real on the cluster (test/cluster/global-setup.ts): two orchestrator worker
 * processes and two model-pool processes (`workers/main.ts`, `workers/model-pool-main.ts`, each a
 * process of its own), a database of the suite's own on the cluster's PostgreSQL, and a client.
 */
export interface Fleet {
  client: ArbiterClient;
  /** Straight to the suite's database, for checks. */
  db: Pool;
  taskQueue: string;
  orchestrators: WorkerSlot[];
  pools: WorkerSlot[];
  dir: string;
  stop(): Promise<void>;
}

/** The Temporal identity of a worker process (the SDK's default, `pid@host`), to read histories by. */
export const identityPid = (identity: string | null | undefined): number => Number((identity ?? '').split('@')[0]);

export async function startFleet(prefix: string): Promise<Fleet> {
  const { address, pgUrl } = inject('cluster');
  // Arbiter's database: on the server DATABASE_URL names when set (CI's PostgreSQL, with pgvector),
  // else beside Temporal's on the cluster's own (Debian's, no pgvector: similar cases off).
  const appPg = process.env.DATABASE_URL || pgUrl;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = await openPool(appPg, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(appPg);
  dbUrl.pathname = `/${name}`;
  const dir = await mkdtemp(join(tmpdir(), `arbiter-${prefix}-`));
  await mkdir(join(dir, 'logs'));
  const taskQueue = `${prefix}-${randomBytes(4).toString('hex')}`;
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    ARBITER_TASK_QUEUE: taskQueue,
    ARBITER_DATA_DIR: dir,
    ARBITER_REGISTER_CARDS: 'false',
    ARBITER_METRICS_PORT: '0',
    REDIS_URL: '',
    LOG_LEVEL: 'info',
  });
  const log = (msg: string) => process.stderr.write(`[fleet] ${msg}\n`);
  const logs = join(dir, 'logs');
  const orchestrators = [1, 2].map((i) => new WorkerSlot(`orchestrator-${i}`, 'orchestrator', env, logs, log, 3));
  const pools = [1, 2].map((i) => new WorkerSlot(`model-pool-${i}`, 'model-pool', env, logs, log, 3));
  const [first, ...rest] = [...orchestrators, ...pools];
  // The first migrates and registers the demo models and pipelines; the others need them.
  await first?.start({ ARBITER_REGISTER_CARDS: 'true' });
  await Promise.all(rest.map((s) => s.start()));
  const db = await openPool(dbUrl.toString(), { max: 4 });
  const client = await ArbiterClient.connect({ address, taskQueue });
  return {
    client,
    db,
    taskQueue,
    orchestrators,
    pools,
    dir,
    async stop() {
      await client.close();
      await Promise.allSettled([...orchestrators, ...pools].map((s) => s.stop()));
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      // ARBITER_KEEP_FLEET_LOGS=1 keeps every process's log (named on stderr) for a failed run.
      if (process.env.ARBITER_KEEP_FLEET_LOGS) log(`logs kept in ${logs}`);
      else await rm(dir, { recursive: true, force: true });
    },
  };
}
