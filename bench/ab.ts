// Before and after at once: the code at another commit and this checkout, each its own embedded stack
// in its own process, run closed-loop slices of one variant starting on the same second, so the
// machine's drift (these 2 cores are shared) meets both alike. For levers worth a few per cent, which
// run-after-run comparisons cannot see here. Run: npx tsx bench/ab.ts --against <commit>. See README.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { passesTable, summarizePasses, type Slice } from './ab/summary';

const here = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    against: { type: 'string' },
    variant: { type: 'string', default: 'arbiter-full' },
    slices: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    lanes: { type: 'string', default: '8' },
  },
});
if (!values.against) {
  process.stderr.write(
    'usage: npx tsx bench/ab.ts --against <commit> [--variant arbiter-full|arbiter|floor] [--slices 4] [--seconds 8] [--lanes 8]\n',
  );
  process.exit(2);
}
const git = (...args: string[]) => execFileSync('git', ['-C', here, ...args], { encoding: 'utf8' }).trim();
const before = git('rev-parse', '--short', values.against);
const after = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain').length > 0 ? '+changes' : ''}`;

// The other commit in a worktree of its own, sharing this checkout's installed dependencies.
const tree = await mkdtemp(join(tmpdir(), 'arbiter-ab-'));
git('worktree', 'add', '--detach', tree, before);
let started: ChildProcess[] = [];
// Which side each pass starts first. Whichever side starts first costs 14–22 % more CPU a call (A/A
// runs of one commit against itself showed it both ways round; the cause is not known), so the
// second pass starts the sides the other way round and the ratios are combined across both.
const FIRST = ['before', 'after'] as const;
try {
  for (const shared of ['node_modules', '.tools']) await symlink(join(here, shared), join(tree, shared));
  const slices: Slice[] = [];
  for (const [pass, first] of FIRST.entries()) {
    started = [];
    // One side at a time through start-up (each takes free ports), then both at once.
    const order = first === 'before' ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const side of order) await startSide(side, side === 'before' ? tree : here, pass, slices);
    const go = Date.now() + 2_000;
    for (const s of started) s.stdin?.write(`${go}\n`);
    await Promise.all(started.map(exited));
    const failed = started.filter((s) => s.exitCode !== 0);
    if (failed.length > 0) throw new Error(`a side exited with ${failed.map((s) => s.exitCode).join(', ')}`);
  }
  const table = passesTable(summarizePasses(slices), { before, after, firstOf: (pass) => FIRST[pass] ?? 'before' });
  process.stdout.write(`${table}\n`);
} finally {
  // A side still running (the other failed): stop it, and its stack with it.
  for (const s of started) if (s.exitCode === null) s.kill('SIGTERM');
  await Promise.all(started.map(exited));
  git('worktree', 'remove', '--force', tree);
  await rm(tree, { recursive: true, force: true });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts one side and resolves once it is warm and waiting for the start time. */
function startSide(side: 'before' | 'after', root: string, pass: number, slices: Slice[]): Promise<ChildProcess> {
  const args = [
    '--side',
    side,
    '--pass',
    String(pass),
    '--root',
    root,
    '--variant',
    values.variant ?? '',
    '--slices',
    values.slices ?? '',
    '--seconds',
    values.seconds ?? '',
    '--lanes',
    values.lanes ?? '',
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'bench/ab/side.ts'), ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  started.push(child);
  return new Promise((resolveReady, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${side} side exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'READY') resolveReady(child);
      else if (line.startsWith('SLICE ')) {
        const slice = JSON.parse(line.slice(6)) as Slice;
        slices.push(slice);
        process.stderr.write(
          `[ab] pass ${pass + 1} ${side}: ${slice.perSec.toFixed(1)}/s, ${slice.benchCpuMs.toFixed(2)} + ${slice.serverCpuMs.toFixed(2)} CPU ms a call (load ${slice.load1.toFixed(2)})\n`,
        );
      }
    });
  });
}
