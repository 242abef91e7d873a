import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config/paths';
import { NODE_VERSION, TOOLS_NODE } from '../scripts/node24.js';

// scripts/node24.js on the machine's own Node, older than 24 (setup installed 24 into .tools because
// of it): the command runs on 24, gets each stop signal once and exits as it does. Where the machine's
// Node is 24 already there is no .tools Node and nothing to relaunch.
const toolsBin = existsSync(TOOLS_NODE) ? realpathSync(dirname(TOOLS_NODE)) : undefined;
const machinePath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !existsSync(dir) || realpathSync(dir) !== toolsBin)
  .join(delimiter);
const machineNode = spawnSync('node', ['-p', 'process.execPath + " " + process.versions.node'], {
  env: { ...process.env, PATH: machinePath },
  encoding: 'utf8',
}).stdout?.trim();
const [oldNode, oldVersion] = machineNode?.split(' ') ?? [];
const older = oldNode !== undefined && Number(oldVersion?.split('.')[0]) < 24 && toolsBin !== undefined;

const FIXTURE = `
const seen = [];
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(s, (sig) => {
    seen.push(sig);
    // Room for a duplicate to arrive before reporting what came.
    if (seen.length === 1) setTimeout(() => { console.log('signals ' + seen.join(',')); process.exit(7); }, 500);
  });
}
console.log('ready ' + process.version + ' ' + process.pid);
if (process.argv[2] === 'exit') process.exit(3);
setInterval(() => {}, 1000);
`;

let dir = '';
const started: ChildProcess[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arbiter-node24-'));
  await writeFile(join(dir, 'fixture.mjs'), FIXTURE);
});
afterAll(async () => {
  for (const p of started) if (p.pid && p.exitCode === null && p.signalCode === null) process.kill(-p.pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  proc: ChildProcess;
  output: () => string;
  line: (prefix: string) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `command` detached (a process group of its own, as a shell job would be) and follows its output. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const proc = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PATH: machinePath, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  // 'close', not 'exit': the output is read to its end by then (the relaunched Node shares the pipes).
  let closed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => {
      closed = true;
      resolve({ code, signal });
    }),
  );
  const line = async (prefix: string): Promise<string> => {
    for (;;) {
      const found = out.split('\n').find((l) => l.startsWith(prefix));
      if (found !== undefined) return found;
      if (closed) throw new Error(`exited before '${prefix}':\n${out}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        void exited.then(() => resolve());
      });
    }
  };
  return { proc, output: () => out, line, exited };
}

describe.skipIf(!older)(`scripts/node24.js on the machine's Node ${oldVersion ?? ''}`, () => {
  const fixture = () => join(dir, 'fixture.mjs');

  it(`runs the command on Node ${NODE_VERSION} and exits with its code`, async () => {
    const run = start(oldNode!, ['scripts/node24.js', fixture(), 'exit']);
    expect(await run.line('ready')).toContain(`v${NODE_VERSION}`);
    expect((await run.exited).code).toBe(3);
  });

  it('passes a Ctrl-C (SIGINT to the whole process group) on exactly once', async () => {
    const run = start(oldNode!, ['scripts/node24.js', fixture()]);
    await run.line('ready');
    process.kill(-run.proc.pid!, 'SIGINT');
    expect(await run.line('signals')).toBe('signals SIGINT');
    expect((await run.exited).code).toBe(7);
  });

  it.each(['SIGTERM', 'SIGHUP'] as const)('passes a %s sent to its own pid on', async (signal) => {
    const run = start(oldNode!, ['scripts/node24.js', fixture()]);
    await run.line('ready');
    run.proc.kill(signal);
    expect(await run.line('signals')).toBe(`signals ${signal}`);
    expect((await run.exited).code).toBe(7);
  });

  it('dies of the signal that killed the command, as a shell expects', async () => {
    const run = start(oldNode!, ['scripts/node24.js', fixture()]);
    const pid = Number((await run.line('ready')).split(' ')[2]);
    process.kill(pid, 'SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
  });

  it("started by npm, sends SIGTERM once npm's shell is gone (a SIGTERM to npm's pid ends only that shell)", async () => {
    const run = start('/bin/sh', ['-c', `"${oldNode}" scripts/node24.js "${fixture()}"; echo shell-done`], {
      npm_command: 'exec',
    });
    await run.line('ready');
    run.proc.kill('SIGKILL');
    expect(await run.line('signals')).toBe('signals SIGTERM');
    expect(run.output()).not.toContain('shell-done');
  });

  it('bin/arbiter.js relaunches itself (so `npx arbiter` runs on 24), keeping Node options', async () => {
    // The preload runs in each Node the command starts: first the machine's, then 24.
    const preload = 'data:text/javascript,console.error("node " + process.version)';
    const run = start(oldNode!, ['--import', preload, 'bin/arbiter.js', '--version']);
    expect((await run.exited).code).toBe(0);
    expect(run.output()).toContain(`node v${oldVersion}`);
    expect(run.output()).toContain(`node v${NODE_VERSION}`);
    expect(run.output()).toMatch(/^\d+\.\d+\.\d+$/m);
  });
});
