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

/** Resolves on the first Ctrl-C or SIGTERM. */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
