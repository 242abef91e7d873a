import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/** SDK messages that are expected in Arbiter's set-up and would only alarm a user. */
const EXPECTED = [
  // Model-pool workers serve activities only, on purpose.
  /^No workflows registered, not polling for workflow tasks/,
];

function print(entry: LogEntry): void {
  if (EXPECTED.some((re) => re.test(entry.message))) return;
  const meta = entry.meta ? ` ${JSON.stringify(entry.meta)}` : '';
  process.stderr.write(`${entry.level} ${entry.message}${meta}\n`);
}

/**
 * Quiets the SDK's own logging for an interactive command and leaves signal handling to Arbiter,
 * which stops the worker before the servers it depends on.
 */
export function installCliRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN', print), shutdownSignals: [] });
  } catch {
    // Already installed (a second command in the same process, or a test runner): keep that one.
  }
}

export { untilInterrupted } from '../workers/signals';
