import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { PROJECT_ROOT } from '../config/env';

// `npx arbiter dev` as a user or a script starts it: npm runs it in `sh -c`, which on Debian (dash)
// neither execs into it nor passes npm's forwarded signals on. A SIGTERM to npm's pid ends that shell;
// Arbiter, orphaned, must stop everything it started instead of running on with its dev server.
let dataDir: string | undefined;
let npx: ChildProcess | undefined;

afterAll(async () => {
  // Whatever a failed run left (the npx process group is this test's own).
  if (npx?.pid && npx.exitCode === null && npx.signalCode === null) process.kill(-npx.pid, 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

describe('npx arbiter dev', () => {
  it('stops, with its Temporal dev server, on a SIGTERM to the npx process, and says how to stop it', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'arbiter-npx-'));
    const temporalPort = await freePort();
    const env = {
      ...process.env,
      ARBITER_DATA_DIR: dataDir,
      ARBITER_PG_PORT: String(await freePort()),
      ARBITER_TEMPORAL_PORT: String(temporalPort),
      ARBITER_UI_PORT: String(await freePort()),
      ARBITER_METRICS_PORT: String(await freePort()),
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      NO_COLOR: '1',
    };
    const started = spawn('npx', ['arbiter', 'dev'], { cwd: PROJECT_ROOT, env, detached: true, stdio: 'pipe' });
    npx = started;
    let output = '';
    started.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    started.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));

    const hint = /send SIGINT or SIGTERM to (\d+) \(this process\)/;
    while (!hint.test(output)) {
      if (started.exitCode !== null) throw new Error(`npx arbiter dev exited at start:\n${output}`);
      await sleep(200);
    }
    expect(output).toContain('Serving. Try: arbiter decide --input-file demo/cases/sample.json');
    expect(output).toContain("a SIGINT to npm's pid stops nothing");
    const arbiter = Number(hint.exec(output)?.[1]);
    expect(arbiter).not.toBe(started.pid);
    expect(await portFree(temporalPort)).toBe(false);

    process.kill(started.pid as number, 'SIGTERM');
    await exited;
    // Arbiter notices its shell is gone and stops what it started (the test's timeout bounds this).
    while (alive(arbiter)) await sleep(200);
    expect(output).toContain('stopping...');
    // Stopped by Arbiter before it exited, not left running in its own process group.
    expect(await portFree(temporalPort)).toBe(true);
  }, 300_000);
});
