import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { pino } from 'pino';
import { openPool } from '../stores/db';
import { DecisionStore } from '../stores/decision-store';
import { migrate } from '../stores/migrations';
import { loadEnv } from './config';
import { readModelCards } from '../models/cards';
import { registerModelCards } from '../models/registration';
import { createModelServices } from './model-services';
import { createOrchestratorWorker } from './orchestrator';
import { ensureSearchAttributes } from './search-attributes';
import { temporalTarget } from './temporal-connection';

/**
 * The orchestrator worker as a process of its own (containers, clusters): DATABASE_URL and the
 * TEMPORAL_* variables are required here; nothing embedded is started.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const log = pino({ level: env.LOG_LEVEL, name: 'arbiter-worker' });
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required for a standalone worker');
  Runtime.install({
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
  const pool = await openPool(env.DATABASE_URL);
  const applied = await migrate(pool);
  log.info({ applied }, 'database ready');
  const target = temporalTarget(env.TEMPORAL_ADDRESS);
  await ensureSearchAttributes(target.connectionOptions, target.namespace).then(
    (added) => log.info({ added }, 'search attributes ready'),
    (err: unknown) => log.warn({ err }, 'could not register search attributes; register them with the Temporal CLI'),
  );
  const connection = await NativeConnection.connect(target.connectionOptions);
  const models = createModelServices(pool, env.ARBITER_MODELS_DIR);
  if (env.ARBITER_REGISTER_CARDS) {
    const cards = await readModelCards(env.ARBITER_MODELS_DIR);
    log.info({ models: await registerModelCards(models.registry, models.runtime, cards) }, 'model cards registered');
  }
  const worker = await createOrchestratorWorker({
    connection,
    namespace: target.namespace,
    taskQueue: env.ARBITER_TASK_QUEUE,
    deps: { store: new DecisionStore(pool), registry: models.registry, runtime: models.runtime },
  });
  log.info({ address: target.connectionOptions.address, taskQueue: env.ARBITER_TASK_QUEUE }, 'worker running');
  // The SDK's Runtime turns SIGINT/SIGTERM into a graceful shutdown; run() resolves once drained.
  await worker.run();
  await Promise.all([models.close(), pool.end(), connection.close()]);
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`arbiter-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
