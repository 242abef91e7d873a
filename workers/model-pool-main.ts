import { makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { createLogger } from '../telemetry/log';
import { PinoSdkLogger } from '../telemetry/sdk-logger';
import { startTracing } from '../telemetry/tracing';
import { createResultCache } from '../stores/cache';
import { openPool } from '../stores/db';
import { caseLimitsOf, loadEnv, metricsPortOf } from '../config/env';
import { createArbiterMetrics } from '../metrics/arbiter-metrics';
import { sdkMetricsAddress, sdkMetricsOptions } from '../metrics/sdk';
import { serveMetrics } from '../metrics/server';
import { readBreakers, readCache } from './metrics-readers';
import { createModelServices } from '../admin/model-services';
import { startModelPool } from './model-pool';
import { exitIfStuck, SHUTDOWN_MARGIN_MS, untilInterrupted } from './signals';
import { encryptionKeysOf } from '../config/encryption';
import { temporalTarget } from '../config/temporal';

/**
 * A model-pool process: serves `remote` calls for the models named in ARBITER_POOL_MODELS
 * (comma-separated) on their own task queues; without it, every registered model, and each model
 * registered while it runs.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger({ name: 'arbiter-model-pool', level: env.LOG_LEVEL });
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required (the model registry)');
  // Off unless ARBITER_METRICS_PORT is set: a pool beside a worker on one host must not take its port.
  const metricsPort = metricsPortOf(env, undefined);
  const sdkAddress = metricsPort ? await sdkMetricsAddress() : undefined;
  Runtime.install({
    shutdownSignals: [],
    logger: new PinoSdkLogger(log),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(sdkAddress ? { metrics: sdkMetricsOptions(sdkAddress) } : {}),
    },
  });
  const tracing = await startTracing({ serviceName: 'arbiter-model-pool' });
  const pool = await openPool(env.DATABASE_URL, { max: 4 });
  const models = createModelServices(pool, env.ARBITER_MODELS_DIR);
  const cache = await createResultCache({ REDIS_URL: env.REDIS_URL });
  const metrics = createArbiterMetrics();
  readBreakers(metrics, models.breakers);
  readCache(metrics, cache);
  const metricsServer = metricsPort
    ? await serveMetrics({ port: metricsPort, scrape: () => metrics.scrape(), sdkAddress })
    : undefined;
  const target = temporalTarget(env.TEMPORAL_ADDRESS, await encryptionKeysOf(env, { create: false }));
  const connection = await NativeConnection.connect(target.connectionOptions);
  const modelPool = await startModelPool({
    connection,
    namespace: target.namespace,
    models: env.ARBITER_POOL_MODELS ?? { follow: models.registry },
    runtime: models.runtime,
    cache,
    caseLimits: caseLimitsOf(env),
    shutdownGraceMs: env.ARBITER_SHUTDOWN_GRACE,
    dataConverter: target.dataConverter,
    log: (msg) => log.info(msg),
  });
  log.info({ models: modelPool.served(), following: !env.ARBITER_POOL_MODELS }, 'model pool running');
  const signal = await untilInterrupted();
  log.info({ signal, graceMs: env.ARBITER_SHUTDOWN_GRACE }, 'draining');
  exitIfStuck(env.ARBITER_SHUTDOWN_GRACE + SHUTDOWN_MARGIN_MS, (msg) => log.error(msg));
  await modelPool.stop();
  await Promise.all([
    models.close(),
    cache.close(),
    pool.end(),
    connection.close(),
    tracing?.shutdown(),
    metricsServer?.close(),
  ]);
  log.info('model pool stopped');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`arbiter-model-pool: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
