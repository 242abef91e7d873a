// Start-up cost of the `arbiter` command (issue 15, point 9): wall and CPU time of whole processes,
// `--help`, `--version`, `models list` and `decide` attached to a running `arbiter dev`, beside the
// floors any command pays here (bare Node, Node with tsx registered) and Temporal's own CLI asking
// the same stack for its workflows. CPU is the child processes' user+system time (bash `times`).
// Run: npx tsx bench/cli.ts [--runs N]   (starts its own embedded stack on free ports)
import { spawn, spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../config/paths';
import { percentile } from '../core/stats';
import { findTemporalCli } from '../scripts/temporal-cli.js';
import { isolatedStackEnv } from './stack-env';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const ARBITER = join(PROJECT_ROOT, 'bin', 'arbiter.js');
const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

interface Row {
  command: string;
  runs: number;
  wallMsP50: number;
  cpuMsP50: number;
  cpuMsMax: number;
}

/** Runs `cmd` in bash and reads the children's CPU from `times` (its second line: children's user, system). */
function timed(cmd: string, env: NodeJS.ProcessEnv): { wallMs: number; cpuMs: number } {
  const started = performance.now();
  const r = spawnSync('bash', ['-c', `${cmd} >/dev/null 2>/tmp/arbiter-bench-cli.err || exit 97; times`], {
    env,
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`'${cmd}' failed (exit ${r.status}); see /tmp/arbiter-bench-cli.err`);
  const children = r.stdout.trim().split('\n').at(-1) ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wallMs, cpuMs: secs.reduce((a, b) => a + b, 0) * 1000 };
}

function measure(command: string, build: (i: number) => string, env: NodeJS.ProcessEnv): Row {
  timed(build(-1), env); // warm-up: tsx's transform cache, the OS page cache
  const samples = Array.from({ length: RUNS }, (_, i) => timed(build(i), env));
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.map((s) => s.cpuMs);
  const round = (x: number) => Math.round(x);
  return {
    command,
    runs: RUNS,
    wallMsP50: round(percentile(wall, 50)),
    cpuMsP50: round(percentile(cpu, 50)),
    cpuMsMax: round(Math.max(...cpu)),
  };
}

/** `arbiter dev` on its own data dir and ports, until it says it serves. */
async function startDev(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [ARBITER, 'dev'], {
    env,
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('Serving.')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`arbiter dev exited (${code}):\n${log}`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

const { env: stackEnv, dataDir } = await isolatedStackEnv('arbiter-bench-cli-');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ARBITER_DATA_DIR: dataDir,
  ARBITER_PG_PORT: String(stackEnv.ARBITER_PG_PORT),
  ARBITER_TEMPORAL_PORT: String(stackEnv.ARBITER_TEMPORAL_PORT),
  ARBITER_UI_PORT: String(stackEnv.ARBITER_UI_PORT),
  ARBITER_METRICS_PORT: String(stackEnv.ARBITER_METRICS_PORT ?? 0),
  TEMPORAL_ADDRESS: '',
  DATABASE_URL: '',
};
const sample = JSON.parse(await readFile(join(PROJECT_ROOT, 'demo', 'cases', 'sample.json'), 'utf8')) as {
  input: unknown;
};
const runId = Date.now().toString(36);
// A fresh case id per run: a case already decided would be answered from the record, not decided.
const freshCase = (i: number) => JSON.stringify({ caseId: `bench-cli-${runId}-${i + 1}`, input: sample.input });

const load1 = loadavg()[0] ?? 0;
const rows: Row[] = [
  measure('node -e 0 (floor: Node)', () => `${q(process.execPath)} -e 0`, env),
  measure(
    'node + tsx registered (floor: any TypeScript command)',
    () => `${q(process.execPath)} --input-type=module -e "import { register } from 'tsx/esm/api'; register();"`,
    env,
  ),
  measure('arbiter --version', () => `${q(process.execPath)} ${q(ARBITER)} --version`, env),
  measure('arbiter --help', () => `${q(process.execPath)} ${q(ARBITER)} --help`, env),
];
const dev = await startDev(env);
try {
  const address = `127.0.0.1:${stackEnv.ARBITER_TEMPORAL_PORT}`;
  const temporal = findTemporalCli() ?? 'temporal';
  rows.push(
    measure(
      'temporal workflow list --limit 5 (Temporal CLI, same stack)',
      () => `${q(temporal)} workflow list --address ${address} --limit 5`,
      env,
    ),
    measure('arbiter models list (attached)', () => `${q(process.execPath)} ${q(ARBITER)} models list`, env),
    measure(
      'arbiter decide --pipeline demo (attached, fresh case)',
      (i) => `${q(process.execPath)} ${q(ARBITER)} decide --pipeline demo --input ${q(freshCase(i))}`,
      env,
    ),
  );
} finally {
  await dev.stop();
  await rm(dataDir, { recursive: true, force: true });
}
const result = { at: new Date().toISOString(), load1, load1End: loadavg()[0] ?? 0, runs: RUNS, rows };
process.stdout.write(
  [
    '| command | wall ms p50 | CPU ms p50 | CPU ms max |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.command} | ${r.wallMsP50} | ${r.cpuMsP50} | ${r.cpuMsMax} |`),
    `load average (1 min): ${load1.toFixed(2)} at start, ${result.load1End.toFixed(2)} at end`,
    '',
  ].join('\n'),
);
await writeFile(join(PROJECT_ROOT, 'bench', 'results', 'cli.json'), `${JSON.stringify(result, null, 2)}\n`);
