import type { ArbiterEnv } from '../config/env';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import type { MetricsServer } from '../metrics/server';
import type { IngestObserver } from '../ingest';

/** A process's metrics and, when ARBITER_METRICS_PORT (or its default) says so, the server of `/metrics`. */
export interface CliMetrics {
  metrics: ArbiterMetrics;
  server?: MetricsServer;
}

/**
 * Installs the SDK runtime (its Prometheus exporter on loopback when metrics are on) and serves
 * `/metrics` on ARBITER_METRICS_PORT, else on `fallbackPort` (undefined: off). Call it before any
 * Temporal connection: the runtime is installed once per process.
 */
export async function startCliMetrics(env: ArbiterEnv, fallbackPort: number | undefined): Promise<CliMetrics> {
  const [{ metricsPortOf }, { createArbiterMetrics }, { sdkMetricsAddress }, { serveMetrics }, { installCliRuntime }] =
    await Promise.all([
      import('../config/env'),
      import('../metrics/arbiter-metrics'),
      import('../metrics/sdk'),
      import('../metrics/server'),
      import('./runtime'),
    ]);
  const port = metricsPortOf(env, fallbackPort);
  const sdkAddress = port ? await sdkMetricsAddress() : undefined;
  installCliRuntime(env.LOG_LEVEL, sdkAddress);
  const metrics = createArbiterMetrics();
  if (!port) return { metrics };
  const { PortBusyError } = await import('./stack/ports');
  const server = await serveMetrics({ port, scrape: () => metrics.scrape(), sdkAddress }).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new PortBusyError(port, 'metrics', 'ARBITER_METRICS_PORT');
    throw err;
  });
  return { metrics, server };
}

/** The ingest's observer on these metrics; the topics' series start at 0, so "no dead letters yet" is data too. */
export function ingestObserver(metrics: ArbiterMetrics, topics: readonly string[]): IngestObserver {
  for (const topic of topics) {
    for (const result of ['decided', 'dead-lettered'] as const) metrics.ingestMessages.inc({ topic, result }, 0);
    metrics.ingestRetries.inc({ topic }, 0);
  }
  return {
    handled: (topic, how, lagMs) => {
      metrics.ingestMessages.inc({ topic, result: how });
      metrics.ingestLag.observe({ topic }, lagMs / 1000);
    },
    retried: (topic) => metrics.ingestRetries.inc({ topic }),
  };
}
