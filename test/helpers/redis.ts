import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../cli/stack/ports';

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Undoes `pause()` (SIGCONT). */
  resume(): void;
  /** Stops the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** @default 'redis-server' (from PATH) */
  bin?: string;
  /** @default 10_000 */
  readyTimeoutMs?: number;
}

const STOP_GRACE_MS = 5_000;

/**
 * A real, empty, non-persistent Redis on a free 127.0.0.1 port. Throws with install instructions
 * when `redis-server` is missing, and with the log's tail when it does not answer PING: integration
 * tests never skip.
 */
export async function startRedis({
  bin = 'redis-server',
  readyTimeoutMs = 10_000,
}: RedisOptions = {}): Promise<RunningRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-8_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(`'${bin}' is not installed: apt-get install -y redis-server (Redis tests never skip)`, {
              cause: err,
            })
          : err,
      ),
    );
  });

  const signal = (sig: NodeJS.Signals) => {
    if (!done) child.kill(sig);
  };
  const running: RunningRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    async stop() {
      signal('SIGCONT');
      signal('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!gone) signal('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await pong(port))) {
    if (done || Date.now() > deadline) {
      await running.stop();
      const why = done ? 'exited before it was ready' : `did not answer PING within ${readyTimeoutMs} ms`;
      throw new Error(
        `${bin} on port ${port} ${why}. Last lines of its log:\n${log.split('\n').slice(-30).join('\n')}`,
      );
    }
    await sleep(50);
  }
  return running;
}

/** True when something on the port answers a RESP PING with +PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => finish(data.toString('latin1').startsWith('+PONG')));
  });
}
