import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * Quiets the SDK's own logging for an interactive command and leaves signal handling to Arbiter,
 * which stops the worker before the servers it depends on.
 */
export function installCliRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch {
    // Already installed (a second command in the same process, or a test runner): keep that one.
  }
}

export { untilInterrupted } from '../workers/signals';
