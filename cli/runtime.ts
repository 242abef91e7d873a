import { Runtime } from '@temporalio/worker';
import { sdkMetricsOptions } from '../metrics/sdk';
import { createLogger, type LogLevel } from '../telemetry/log';
import { PinoSdkLogger } from '../telemetry/sdk-logger';

/**
 * Sends the SDK's own logging to stderr as JSON lines (pino, errors with their type and cause) and
 * leaves signal handling to Arbiter, which stops the worker before the servers it depends on. An
 * interactive command keeps it to warnings; `arbiter dev`, `api` and `ingest` pass LOG_LEVEL. With
 * `sdkMetricsAddress` (a loopback address from metrics/sdk.ts) the SDK's Prometheus exporter binds
 * there, for `/metrics` to append.
 * @param level @default 'warn'
 */
export function installCliRuntime(level: LogLevel = 'warn', sdkMetricsAddress?: string): void {
  try {
    const log = createLogger({ name: 'arbiter', level, destination: process.stderr });
    Runtime.install({
      logger: new PinoSdkLogger(log),
      shutdownSignals: [],
      ...(sdkMetricsAddress ? { telemetryOptions: { metrics: sdkMetricsOptions(sdkMetricsAddress) } } : {}),
    });
  } catch {
    // Already installed (a second command in the same process, or a test runner): keep that one.
  }
}

export { untilInterrupted } from './launcher';
