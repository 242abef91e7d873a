import { createServer } from 'node:net';

/**
 * A loopback address for the Temporal SDK's own Prometheus exporter (in the Rust core). It cannot
 * share a port with Arbiter's server, so it binds here and `/metrics` appends its text: one port to
 * scrape per process. The port is free when chosen; the exporter binds it right after.
 */
export function sdkMetricsAddress(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}

/**
 * `Runtime.install`'s `telemetryOptions.metrics` for that exporter: durations in seconds and
 * counters with `_total`, as Prometheus names them (`temporal_workflow_task_schedule_to_start_latency_seconds`).
 */
export function sdkMetricsOptions(bindAddress: string) {
  return {
    prometheus: { bindAddress, useSecondsForDurations: true, countersTotalSuffix: true, unitSuffix: true },
  } as const;
}
