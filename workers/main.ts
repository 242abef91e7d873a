import { makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { createLogger } from '../telemetry/log';
import { PinoSdkLogger } from '../telemetry/sdk-logger';
import { startTracing } from '../telemetry/tracing';
import { openPool } from '../stores/db';
import { migrate } from '../stores/migrations';
import { DEFAULT_METRICS_PORT, loadEnv, metricsPortOf } from '../config/env';
import { createArbiterMetrics } from '../metrics/arbiter-metrics';
import { sdkMetricsAddress, sdkMetricsOptions } from '../metrics/sdk';
import { serveMetrics } from '../metrics/server';
import { startOrchestratorRuntime } from './orchestrator-runtime';
import { ensureSearchAttributes } from './search-attributes';
import { exitIfStuck, SHUTDOWN_MARGIN_MS, untilInterrupted } from './signals';
import { encryptionKeysOf } from '../config/encryption';
import { temporalTarget } from '../config/temporal';

/**
 * The orchestrator worker as a process of its own (containers, clusters): DATABASE_URL and the
 * TEMPORAL_* variables are required here; nothing embedded is started. Remote model calls are
 * served by `workers/model-pool-main.ts` processes.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger({ name: 'arbiter-worker', level: env.LOG_LEVEL });
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required for a standalone worker');
  const metricsPort = metricsPortOf(env, DEFAULT_METRICS_PORT);
  const sdkAddress = metricsPort ? await sdkMetricsAddress() : undefined;
  // Arbiter handles SIGINT/SIGTERM itself: workers drain first, then the pool and connection close.
  Runtime.install({
    shutdownSignals: [],
    logger: new PinoSdkLogger(log),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(sdkAddress ? { metrics: sdkMetricsOptions(sdkAddress) } : {}),
    },
  });
  const tracing = await startTracing({ serviceName: 'arbiter-worker' });
  const metrics = createArbiterMetrics();
  const metricsServer = metricsPort
    ? await serveMetrics({ port: metricsPort, scrape: () => metrics.scrape(), sdkAddress })
    : undefined;
  if (metricsServer) log.info({ port: metricsServer.port }, 'metrics at /metrics');
  const pool = await openPool(env.DATABASE_URL);
  const applied = await migrate(pool);
  log.info({ applied }, 'database ready');
  const target = temporalTarget(env.TEMPORAL_ADDRESS, await encryptionKeysOf(env, { create: false }));
  await ensureSearchAttributes(target.connectionOptions, target.namespace).then(
    (added) => log.info({ added }, 'search attributes ready'),
    (err: unknown) => log.warn({ err }, 'could not register search attributes; register them with the Temporal CLI'),
  );
  const connection = await NativeConnection.connect(target.connectionOptions);
  const runtime = await startOrchestratorRuntime({
    connection,
    namespace: target.namespace,
    pool,
    env,
    seedDemo: env.ARBITER_REGISTER_CARDS,
    metrics,
    dataConverter: target.dataConverter,
    log: (msg) => log.info(msg),
    logger: log,
  });
  log.info({ address: target.connectionOptions.address, taskQueue: env.ARBITER_TASK_QUEUE }, 'worker running');
  const signal = await untilInterrupted();
  log.info({ signal, graceMs: env.ARBITER_SHUTDOWN_GRACE }, 'draining');
  exitIfStuck(env.ARBITER_SHUTDOWN_GRACE + SHUTDOWN_MARGIN_MS, (msg) => log.error(msg));
  await runtime.stop();
  await Promise.all([pool.end(), connection.close(), tracing?.shutdown(), metricsServer?.close()]);
  log.info('worker stopped');
  // Drained and closed: nothing a library left scheduled may keep the process from exiting.
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`arbiter-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
