import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { sdkMetricsOptions } from '../metrics/sdk';

/** SDK messages that are expected in Arbiter's set-up and would only alarm a user. */
const EXPECTED = [
  // Model-pool workers serve activities only, on purpose.
  /^No workflows registered, not polling for workflow tasks/,
];

/**
 * An error in a log entry as its type and message: an Error's own fields are not enumerable, so
 * JSON shows a failed workflow's error as `{}` (a rejected case's field errors are in its message).
 */
function readable(key: string, value: unknown): unknown {
  if (key !== 'error' || typeof value !== 'object' || value === null) return value;
  const { type, message } = value as { type?: unknown; message?: unknown };
  if (typeof message !== 'string') return value;
  return { ...(typeof type === 'string' ? { type } : {}), message };
}

export function formatLogEntry(entry: Pick<LogEntry, 'level' | 'message' | 'meta'>): string {
  const meta = entry.meta ? ` ${JSON.stringify(entry.meta, readable)}` : '';
  return `${entry.level} ${entry.message}${meta}`;
}

function print(entry: LogEntry): void {
  if (EXPECTED.some((re) => re.test(entry.message))) return;
  process.stderr.write(`${formatLogEntry(entry)}\n`);
}

/**
 * Quiets the SDK's own logging for an interactive command and leaves signal handling to Arbiter,
 * which stops the worker before the servers it depends on. With `sdkMetricsAddress` (a loopback
 * address from metrics/sdk.ts) the SDK's Prometheus exporter binds there, for `/metrics` to append.
 */
export function installCliRuntime(sdkMetricsAddress?: string): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', print),
      shutdownSignals: [],
      ...(sdkMetricsAddress ? { telemetryOptions: { metrics: sdkMetricsOptions(sdkMetricsAddress) } } : {}),
    });
  } catch {
    // Already installed (a second command in the same process, or a test runner): keep that one.
  }
}

export { untilInterrupted } from './launcher';
