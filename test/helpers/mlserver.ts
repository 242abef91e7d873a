import { spawn } from 'node:child_process';
import { cp, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { freePort } from '../../cli/stack/ports';
import { ensureMlserver } from '../../scripts/mlserver.js';

export interface RunningMlserver {
  /** `http://127.0.0.1:<port>`, the Open Inference Protocol REST root. */
  baseUrl: string;
  /** Kills the server's process group and removes its temporary directory. */
  stop(): Promise<void>;
}

export interface MlserverOptions {
  /** A directory holding `model-settings.json` (whose `name` the server serves) and the model file. */
  modelDir: string;
  /** @default 90_000 */
  readyTimeoutMs?: number;
}

const STOP_GRACE_MS = 5_000;
const ModelSettingsSchema = z.object({ name: z.string().min(1) });

/**
 * A real MLServer (pinned, from scripts/mlserver.js) serving one model on free local ports. The
 * model is copied into a temporary repository with its own settings.json, so nothing is written
 * next to the committed model. Throws, with the log's tail, when the server does not get ready:
 * integration tests never skip.
 */
export async function startMlserver({ modelDir, readyTimeoutMs = 90_000 }: MlserverOptions): Promise<RunningMlserver> {
  const bin = ensureMlserver();
  const root = await mkdtemp(join(tmpdir(), 'arbiter-mlserver-'));
  const settingsText = await readFile(join(modelDir, 'model-settings.json'), 'utf8');
  const model = ModelSettingsSchema.parse(JSON.parse(settingsText)).name;
  await cp(modelDir, join(root, basename(modelDir)), { recursive: true });
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  // `mlserver start <dir>` reads server settings from <dir>/settings.json. No metrics server and
  // no worker pool: one process, a quicker start, fewer ports to race for.
  const settings = {
    host: '127.0.0.1',
    http_port: httpPort,
    grpc_port: grpcPort,
    metrics_endpoint: null,
    parallel_workers: 0,
    debug: false,
    environments_dir: join(root, '.envs'),
    metrics_dir: join(root, '.metrics'),
  };
  await writeFile(join(root, 'settings.json'), JSON.stringify(settings, null, 2));
  const logPath = join(root, 'mlserver.log');
  const log = await open(logPath, 'w');
  const child = spawn(bin, ['start', root], { cwd: root, detached: true, stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));

  const stop = async () => {
    if (!done && child.pid) {
      killGroup(child.pid, 'SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!killed) killGroup(child.pid, 'SIGKILL');
      await exited;
    }
    await rm(root, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (done) return fail(`exited before it was ready`);
    if (Date.now() > deadline) return fail(`was not ready after ${readyTimeoutMs} ms`);
    if ((await ok(`${baseUrl}/v2/health/ready`)) && (await ok(`${baseUrl}/v2/models/${model}/ready`))) {
      return { baseUrl, stop };
    }
    await sleep(200);
  }

  async function fail(what: string): Promise<never> {
    const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-40).join('\n');
    await stop();
    throw new Error(`MLServer (${bin}) ${what}. Last lines of its log:\n${tail}`);
  }
}

async function ok(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
