import { untilInterrupted as untilSignalled } from '../workers/signals';

/**
 * Whether npm started this process (`npx arbiter`, `npm exec`, `npm run`): npm puts these in its
 * children's environment.
 */
export function launchedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.npm_command ?? env.npm_lifecycle_event);
}

/**
 * What a person must know to stop a long-running command started through npm from a script: npm
 * passes SIGINT and SIGTERM only to the `sh -c` it runs the command in, and Debian's /bin/sh (dash)
 * neither execs into the command nor passes the signal on. SIGTERM kills that shell, which this
 * process notices (see `untilInterrupted`); a SIGINT to npm's pid reaches nothing.
 */
export function npmStopHint(pid: number = process.pid): string {
  return `started through npm: to stop it from a script, send SIGINT or SIGTERM to ${pid} (this process), or SIGTERM to npm's pid; a SIGINT to npm's pid stops nothing (npm passes it only to its shell)`;
}

/** Resolves once this process has a new parent: the one that started it exited. */
function untilOrphaned(everyMs: number): Promise<'parent-exited'> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer);
      resolve('parent-exited');
    }, everyMs);
    timer.unref();
  });
}

/**
 * Whether scripts/node24.js started this process on .tools' Node 24: its launcher passes signals on,
 * and once the launcher is gone nothing would (`kill -9` of it, or of its process group).
 */
export function relaunchedOnNode24(env: NodeJS.ProcessEnv = process.env, parent = process.ppid): boolean {
  // The variable is inherited further down (a test's own `arbiter` processes): only the launcher's child counts.
  return env.ARBITER_NODE_RELAUNCHED === String(parent);
}

/**
 * The CLI's stop request: a stop signal (workers/signals.ts), or, started through npm or Node 24's
 * launcher, the end of the parent (a SIGTERM to npm's pid ends npm's shell; left alone, Arbiter and
 * its Temporal dev server would run on, orphaned). Not otherwise: `nohup arbiter dev &` must outlive
 * its shell.
 */
export function untilInterrupted(everyMs = 1_000): Promise<NodeJS.Signals | 'parent-exited'> {
  const signalled = untilSignalled();
  const watchParent = launchedByNpm() || relaunchedOnNode24();
  return watchParent ? Promise.race([signalled, untilOrphaned(everyMs)]) : signalled;
}
