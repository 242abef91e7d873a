import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../../config/env';
import { cpuMs } from '../pipeline/proc';

/** A child process of the bench: its log goes to a file, the last lines stay in memory. */
export interface BenchProcess {
  name: string;
  pid: number | undefined;
  child: ChildProcess;
  /** The last ~40 lines it wrote (stdout and stderr). */
  tail(): string[];
  exited(): boolean;
  /** Resolves with the exit code or signal name. */
  exit: Promise<string>;
  kill9(): void;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const everyChild = new Set<ChildProcess>();
// Whatever happens to the bench (an error, Ctrl-C), none of its processes outlives it.
process.once('exit', () => {
  for (const c of everyChild) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts `node --import tsx <script>` in the project root and waits until a line contains `ready`. */
export async function startTsxProcess(opts: {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  ready: string;
  logPath: string;
  /** @default 120000 */
  timeoutMs?: number;
}): Promise<BenchProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', opts.script], {
    cwd: PROJECT_ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  everyChild.add(child);
  const log = createWriteStream(opts.logPath, { flags: 'a' });
  const lines: string[] = [];
  let seen = '';
  const onData = (d: Buffer) => {
    const text = d.toString();
    log.write(text);
    seen = (seen + text).slice(-20_000);
    lines.push(...text.split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      everyChild.delete(child);
      log.end();
      resolve(signal ?? String(code));
    }),
  );
  const proc: BenchProcess = {
    name: opts.name,
    pid: child.pid,
    child,
    tail: () => [...lines],
    exited: () => child.exitCode !== null || child.signalCode !== null,
    exit,
    kill9: () => void (proc.exited() || child.kill('SIGKILL')),
    async stop(graceMs = 10_000) {
      if (proc.exited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill9(), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (!seen.includes(opts.ready)) {
    if (proc.exited() || Date.now() > deadline) {
      proc.kill9();
      const why = proc.exited() ? `exited (${await exit})` : `not ready after ${opts.timeoutMs ?? 120_000} ms`;
      throw new Error(`${opts.name} ${why}; see ${opts.logPath}:\n${lines.slice(-10).join('\n')}`);
    }
    await sleep(100);
  }
  return proc;
}

/** CPU seconds (user + system) a live process has used so far, from /proc/<pid>/stat; undefined once gone. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  const ms = await cpuMs(pid);
  return ms === undefined ? undefined : ms / 1000;
}
