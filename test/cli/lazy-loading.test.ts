import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';

// `arbiter --help` must stay well under a second of CPU (issue 15): commands load what they use.
// Timing belongs in bench/cli.ts; this checks the cause instead — what a command's start loads.
const HEAVY = ['zod', '@temporalio/', 'pg', '@electric-sql/', 'onnxruntime', '@tensorflow/', '@langchain/', 'hono'];

const dir = await mkdtemp(join(tmpdir(), 'arbiter-trace-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function loadedPackages(args: string[]): Promise<string[]> {
  const file = join(dir, `${args.join('-').replace(/\W+/g, '_')}.txt`);
  const run = spawnSync(
    process.execPath,
    ['--import', join(PROJECT_ROOT, 'test/helpers/trace-loads.mjs'), join(PROJECT_ROOT, 'bin/arbiter.js'), ...args],
    { env: { ...process.env, TRACE_LOADS_FILE: file }, encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  const urls = (await readFile(file, 'utf8')).split('\n');
  const packages = urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter((p) => p !== undefined);
  return [...new Set(packages)];
}

describe('the arbiter command loads only what a command uses', () => {
  it.each(['--help', '--version', 'models --help', 'decisions feedback --help'])(
    'arbiter %s loads no heavy package',
    async (command) => {
      const packages = await loadedPackages(command.split(' '));
      expect(packages).toContain('commander'); // the trace works
      expect(packages.filter((p) => HEAVY.some((h) => p === h || p.startsWith(h)))).toEqual([]);
    },
  );
});
