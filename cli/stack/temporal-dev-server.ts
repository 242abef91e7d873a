import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { searchAttributeCliArgs } from '../../core/search-attributes';
import { findTemporalCli, TemporalCliMissingError } from '../../scripts/temporal-cli.js';

/** A `temporal server start-dev` child process with its SQLite file in Arbiter's data dir. */
export interface TemporalDevServer {
  address: string;
  /** The server process, for resource measurements. */
  pid: number | undefined;
  uiUrl: string;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** The UI's remote codec (`--ui-codec-endpoint`), so it shows encrypted payloads decoded. @default none */
  uiCodecEndpoint?: string;
  /** @default 30000 */
  startTimeoutMs?: number;
}

/** Starts the dev server (UI on `uiPort`, our search attributes registered) and waits until it answers. */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const cli = findTemporalCli();
  if (!cli) throw new TemporalCliMissingError();
  await mkdir(opts.dataDir, { recursive: true });
  const log = createWriteStream(join(opts.dataDir, 'temporal.log'), { flags: 'a' });
  const args = ['server', 'start-dev', '--db-filename', join(opts.dataDir, 'temporal.sqlite')];
  args.push('--ip', '127.0.0.1', '--port', String(opts.port), '--ui-port', String(opts.uiPort));
  args.push('--namespace', 'default', '--log-level', 'warn', ...searchAttributeCliArgs());
  args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  // Own process group: Ctrl-C reaches Arbiter, which stops the worker before the server.
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const kill = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('exit', kill);
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitUntilServing(child, address, opts.startTimeoutMs ?? 30_000, join(opts.dataDir, 'temporal.log'));
  } catch (err) {
    kill();
    throw err;
  }
  return {
    address,
    pid: child.pid,
    uiUrl: `http://localhost:${opts.uiPort}`,
    async stop() {
      process.off('exit', kill);
      await stopChild(child);
      log.end();
    },
  };
}

async function waitUntilServing(child: ChildProcess, address: string, timeoutMs: number, logPath: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal dev server exited with code ${child.exitCode} at start; see ${logPath}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`temporal dev server did not answer on ${address} within ${timeoutMs} ms; see ${logPath}`);
}

async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
