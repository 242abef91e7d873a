// One side of bench/ab.ts: the tree at --root (this checkout or a worktree of another commit) starts
// its own embedded stack and, once told to go (a line on stdin: the epoch ms to start at), runs
// closed-loop slices of one variant, printing each as `SLICE <json>`. The system under test comes
// from --root; the measuring (loops, /proc CPU) from this file's tree, the same for both sides.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { closedLoop } from '../pipeline/loops';
import { cpuOf } from '../pipeline/measure';
import type { Slice } from './summary';
import type * as CliRuntime from '../../cli/runtime';
import type * as DemoCases from '../../cli/demo-cases';
import type * as StackModule from '../../cli/stack/stack';
import type * as Fresh from '../pipeline/fresh';
import type * as Setup from '../pipeline/setup';
import type * as VariantsModule from '../pipeline/variants';
import type * as StackEnv from '../stack-env';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    side: { type: 'string' },
    pass: { type: 'string', default: '0' },
    variant: { type: 'string', default: 'arbiter-full' },
    slices: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    lanes: { type: 'string', default: '8' },
  },
});
const root = values.root ?? '';
const side = values.side === 'before' ? 'before' : 'after';
// The tree under test, module by module (a missing export names the commit it is too old for).
const load = <T>(path: string) => import(join(root, path)) as Promise<T>;

type Variants = typeof VariantsModule;
const [{ installCliRuntime }, { loadHoldout }, { startStack }, { FreshCases }, setup, variants, { isolatedStackEnv }] =
  await Promise.all([
    load<typeof CliRuntime>('cli/runtime.ts'),
    load<typeof DemoCases>('cli/demo-cases.ts'),
    load<typeof StackModule>('cli/stack/stack.ts'),
    load<typeof Fresh>('bench/pipeline/fresh.ts'),
    load<typeof Setup>('bench/pipeline/setup.ts'),
    load<Variants>('bench/pipeline/variants.ts'),
    load<typeof StackEnv>('bench/stack-env.ts'),
  ]);

installCliRuntime();
const { env, dataDir } = await isolatedStackEnv(`arbiter-ab-${side}-`);
const stack = await startStack(env);
// Stopped by bench/ab.ts (the other side failed): its dev server and database go too.
process.once('SIGTERM', () => void stack.stop().finally(() => process.exit(1)));
try {
  await setup.applyBenchPipelines(stack.models, []);
  const fresh = new FreshCases(randomBytes(4).toString('hex'), await loadHoldout());
  const workers = await setup.startBenchWorkers(stack, { stackTraces: env.ARBITER_WORKFLOW_STACK_TRACES });
  try {
    const call = variantCall(values.variant ?? 'arbiter-full', variants, stack, fresh);
    const lanes = Number(values.lanes);
    await closedLoop(call, { lanes, seconds: 3 });
    process.stdout.write('READY\n');
    const go = Number(await firstLine());
    while (Date.now() < go) await new Promise((resolve) => setTimeout(resolve, 10));
    const pids = { bench: process.pid, server: stack.temporalPid };
    for (let i = 0; i < Number(values.slices); i++) {
      const before = await cpuOf(pids);
      const loop = await closedLoop(call, { lanes, seconds: Number(values.seconds) });
      const after = await cpuOf(pids);
      const slice: Slice = {
        side,
        pass: Number(values.pass),
        perSec: loop.perSec,
        benchCpuMs: (after.bench - before.bench) / loop.completed,
        serverCpuMs: (after.server - before.server) / loop.completed,
        load1: loadavg()[0] ?? Number.NaN,
      };
      process.stdout.write(`SLICE ${JSON.stringify(slice)}\n`);
    }
  } finally {
    await workers.stop();
  }
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}

function variantCall(
  name: string,
  v: Variants,
  stack: Parameters<Variants['floorVariant']>[0] & { client: Parameters<Variants['arbiterVariant']>[1] },
  fresh: Parameters<Variants['floorVariant']>[1],
): () => Promise<unknown> {
  if (name === 'floor') {
    const floor = v.floorVariant(stack, fresh);
    return () => floor.call();
  }
  if (name !== 'arbiter' && name !== 'arbiter-full')
    throw new Error(`--variant: floor, arbiter or arbiter-full, not ${name}`);
  const variant = v.arbiterVariant(name, stack.client, fresh, name === 'arbiter' ? v.BARE : v.FULL);
  return () => variant.call();
}

/** The start time bench/ab.ts sends; its end of stdin closing first means it gave up: stop too. */
function firstLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  return new Promise((resolve, reject) => {
    // Then let stdin go: an open pipe would keep this process from exiting once it is done.
    lines.once('line', (line) => (resolve(line), lines.close(), process.stdin.destroy()));
    lines.once('close', () => reject(new Error('bench/ab.ts went away before the start')));
  });
}
