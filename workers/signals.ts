import { constants } from 'node:os';

/** The signals that stop an Arbiter process gracefully: Ctrl-C, a supervisor's stop, a closed terminal. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Resolves on the first Ctrl-C, SIGTERM or SIGHUP; a second one ends the process at once (exit
 * 128 + the signal's number). SIGHUP is here because its default action would kill the process
 * without stopping the Temporal dev server it started in its own process group. The listeners stay:
 * removing the last one would drop a second signal already caught with the first.
 */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let caught = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      caught += 1;
      if (caught === 1) return resolve(signal);
      process.stderr.write(`${signal} during shutdown: exiting at once\n`);
      process.exit(128 + constants.signals[signal]);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });
}

/** What shutdown may take beyond the grace period (closing pools and connections) before it is cut short. */
export const SHUTDOWN_MARGIN_MS = 5_000;

/**
 * Once shutdown has begun: exits with code 1 if it is still going `ms` from now, so a stuck drain
 * never keeps a process from stopping (a second signal exits at once anyway: `untilInterrupted`
 * has removed its handlers, so the default action applies).
 */
export function exitIfStuck(ms: number, say: (msg: string) => void): void {
  setTimeout(() => {
    say(`shutdown took longer than ${ms} ms; exiting with work still under way (it resumes elsewhere)`);
    process.exit(1);
  }, ms).unref();
}
