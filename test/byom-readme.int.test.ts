import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { PROJECT_ROOT } from '../config/paths';

// README "Bring your own models", run as written: every command of its bash blocks, in order, from
// a folder outside the clone (`npx` is a shim that runs this checkout's bin/arbiter.js). `arbiter dev`
// is started in the background, as the README says to run it in its own terminal.

async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Bring your own models\n');
  expect(start, 'README has a "Bring your own models" section').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

let work: string;
let env: NodeJS.ProcessEnv;
let dev: ChildProcess | undefined;
let devLog = '';
const outputs = new Map<string, string>();
let commands: string[] = [];

/** Waits for `arbiter dev` to say it serves, or fails with its log. */
function startDev(cwd: string): Promise<void> {
  dev = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'arbiter.js'), 'dev'], { cwd, env, stdio: 'pipe' });
  dev.stdout?.on('data', (b: Buffer) => (devLog += b.toString()));
  return new Promise((ok, fail) => {
    dev?.stderr?.on('data', (b: Buffer) => {
      devLog += b.toString();
      if (devLog.includes('Serving.')) ok();
    });
    dev?.on('exit', (code) => fail(new Error(`arbiter dev exited (${code}):\n${devLog}`)));
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'arbiter-byom-'));
  const shims = join(work, 'bin');
  await mkdir(shims);
  const shim = `#!/bin/sh\n[ "$1" = arbiter ] || { echo "not arbiter: $*" >&2; exit 2; }\nshift\nexec "${process.execPath}" "${join(PROJECT_ROOT, 'bin', 'arbiter.js')}" "$@"\n`;
  await writeFile(join(shims, 'npx'), shim);
  await chmod(join(shims, 'npx'), 0o755);
  // Free ports of the test's own, so no running `arbiter dev` is disturbed; the rest comes from the project's .env.
  env = {
    ...process.env,
    PATH: `${shims}:${process.env.PATH ?? ''}`,
    ARBITER_PG_PORT: String(await freePort()),
    ARBITER_TEMPORAL_PORT: String(await freePort()),
    ARBITER_UI_PORT: String(await freePort()),
    ARBITER_METRICS_PORT: String(await freePort()),
  };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'ARBITER_MODELS_DIR', 'ARBITER_PIPELINES_DIR'])
    delete env[name];
  for (const name of ['ARBITER_RULES_DIR', 'ARBITER_DATA_DIR']) delete env[name];

  commands = await readmeCommands();
  let cwd = work;
  for (const command of commands) {
    const cd = /^cd (\S+)$/.exec(command);
    if (cd?.[1]) {
      cwd = resolve(cwd, cd[1]);
      continue;
    }
    if (command.startsWith('npx arbiter dev')) {
      await startDev(cwd);
      continue;
    }
    const run = spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) {
      throw new Error(`'${command}' exited ${run.status}:\n${run.stdout}\n${run.stderr}\narbiter dev:\n${devLog}`);
    }
    outputs.set(command.split('#')[0]?.trim() ?? command, run.stdout);
  }
}, 600_000);

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    dev.removeAllListeners('exit'); // startDev's: a stop now is no failure
    const exited = new Promise((ok) => dev?.once('exit', ok));
    dev.kill('SIGINT');
    await exited;
  }
  await rm(work, { recursive: true, force: true });
});

const output = (prefix: string): string => {
  const found = [...outputs.entries()].find(([command]) => command.startsWith(prefix));
  expect(found, `the README runs '${prefix}…'`).toBeDefined();
  return found?.[1] ?? '';
};

describe('README "Bring your own models", as written', () => {
  it('runs every step, from init to stats', () => {
    expect(commands.length).toBeGreaterThanOrEqual(10);
    expect(commands[0]).toMatch(/^npx arbiter init /);
  });

  it('starts the stack with the project models only, not the demo', () => {
    expect(devLog).toContain('registered models: payments-lr@1');
    expect(devLog).not.toMatch(/phishing/);
  });

  it('registering the card dev registered at start changes nothing', () => {
    expect(output('npx arbiter models register')).toMatch(/payments-lr@1 .*unchanged/);
  });

  it('decides the sample case with the rule set', () => {
    expect(output('npx arbiter decide')).toMatch(
      /^decision-pay-sample: (approve|review|decline) \(score \d\.\d{3}, payments@1\)/,
    );
  });

  it('decides the 40 held-out cases in a batch', () => {
    expect(output('npx arbiter batch run')).toMatch(/40 decided/);
  });

  it('takes the 40 labels at once, and the stats agree with an independent count', async () => {
    expect(output('npx arbiter decisions feedback --file')).toMatch(/40 applied/);
    expect(output('npx arbiter decisions stats')).toContain('labelled decisions: 40');
    const arbiter = (args: string) => {
      const run = spawnSync('bash', ['-c', `npx arbiter ${args}`], {
        cwd: join(work, 'my-decisions'),
        env,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as unknown;
    };
    const decisions = arbiter('decisions list --limit 100 --json') as { caseId: string | null; outcome: string }[];
    const stats = arbiter('decisions stats --pipeline payments --json') as {
      decision: { confusion: Record<'tp' | 'fp' | 'tn' | 'fn', number> };
    };
    const lines = (await readFile(join(PROJECT_ROOT, 'demo/byom/labels.ndjson'), 'utf8')).trim().split('\n');
    const truth = new Map(
      lines.map((l) => JSON.parse(l) as { caseId: string; label: string }).map((l) => [l.caseId, l.label]),
    );
    const confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
    for (const d of decisions) {
      const label = d.caseId === null ? undefined : truth.get(d.caseId);
      if (label === undefined || d.outcome === 'review') continue;
      const key = d.outcome === 'decline' ? (label === 'fraud' ? 'tp' : 'fp') : label === 'fraud' ? 'fn' : 'tn';
      confusion[key]++;
    }
    expect(confusion.tp + confusion.fp + confusion.tn + confusion.fn).toBeGreaterThan(0);
    expect(stats.decision.confusion).toEqual(confusion);
  });
});
