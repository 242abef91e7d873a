import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCliRuntime } from '../../cli/runtime';
import { freePort } from '../../cli/stack/ports';
import { loadEnv, type ArbiterEnv } from '../../config/env';
import { createArbiterMetrics, type ArbiterMetrics } from '../../metrics/arbiter-metrics';
import { sdkMetricsAddress } from '../../metrics/sdk';
import { serveMetrics, type MetricsServer } from '../../metrics/server';

/** What an embedded stack with metrics needs before it starts, as `arbiter dev` sets it up. */
export interface MetricsStackSetup {
  env: ArbiterEnv;
  dataDir: string;
  metrics: ArbiterMetrics;
  /** Where the SDK's Prometheus exporter listens (loopback), for `/metrics` to append. */
  sdkAddress: string;
}

/**
 * The SDK runtime with its exporter on loopback, Arbiter's metrics, a fresh data dir and free ports:
 * pass `env` and `{ metrics }` to `startStack`, then `serveStackMetrics`.
 */
export async function metricsStackSetup(taskQueue: string): Promise<MetricsStackSetup> {
  const sdkAddress = await sdkMetricsAddress();
  installCliRuntime('warn', sdkAddress);
  const dataDir = await mkdtemp(join(tmpdir(), `arbiter-${taskQueue}-`));
  const env = loadEnv({
    ...process.env,
    ARBITER_DATA_DIR: dataDir,
    ARBITER_PG_PORT: String(await freePort()),
    ARBITER_TEMPORAL_PORT: String(await freePort()),
    ARBITER_UI_PORT: String(await freePort()),
    ARBITER_TASK_QUEUE: taskQueue,
    TEMPORAL_ADDRESS: '',
    DATABASE_URL: '',
  });
  return { env, dataDir, metrics: createArbiterMetrics(), sdkAddress };
}

/** One `/metrics` (Arbiter's and the SDK's) on a free loopback port. */
export function serveStackMetrics({ metrics, sdkAddress }: MetricsStackSetup): Promise<MetricsServer> {
  return serveMetrics({ port: 0, host: '127.0.0.1', scrape: () => metrics.scrape(), sdkAddress });
}
