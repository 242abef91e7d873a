import { installCliRuntime } from '../../cli/runtime';
import { type ArbiterEnv } from '../../config/env';
import { createArbiterMetrics, type ArbiterMetrics } from '../../metrics/arbiter-metrics';
import { sdkMetricsAddress } from '../../metrics/sdk';
import { serveMetrics, type MetricsServer } from '../../metrics/server';
import { isolatedStackEnv } from './stack-env';

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
  // The stack itself serves no /metrics here: the test serves one (serveStackMetrics) on a port it knows.
  const { env, dataDir } = await isolatedStackEnv(`arbiter-${taskQueue}-`, '', {
    ARBITER_TASK_QUEUE: taskQueue,
    ARBITER_METRICS_PORT: '0',
  });
  return { env, dataDir, metrics: createArbiterMetrics(), sdkAddress };
}

/** One `/metrics` (Arbiter's and the SDK's) on a free loopback port. */
export function serveStackMetrics({ metrics, sdkAddress }: MetricsStackSetup): Promise<MetricsServer> {
  return serveMetrics({ port: 0, host: '127.0.0.1', scrape: () => metrics.scrape(), sdkAddress });
}
