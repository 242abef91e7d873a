import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PROJECT_ROOT } from '../config/paths';
import { out } from './output';

/** The benchmarks `arbiter bench` runs: bench/<name>.ts, results in bench/results/<name>.json. */
export const BENCHMARKS = ['batch', 'pipeline', 'models'] as const;
export type Benchmark = (typeof BENCHMARKS)[number];

function benchmarkOf(value: string): Benchmark {
  const found = BENCHMARKS.find((b) => b === value);
  if (!found) throw new Error(`unknown benchmark '${value}': one of ${BENCHMARKS.join(', ')}`);
  return found;
}

/**
 * Runs bench/<name>.ts in a child process (`node --import tsx`, as `npm run bench:<name>` runs it
 * after its setup step). With `json`, the child's table goes to stderr and the results file to stdout.
 */
export async function runBenchmark(name: Benchmark, { json }: { json: boolean }): Promise<void> {
  const script = join(PROJECT_ROOT, 'bench', `${name}.ts`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', json ? process.stderr : 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`bench/${name}.ts exited with ${code ?? 'a signal'}`);
  if (json) out((await readFile(join(PROJECT_ROOT, 'bench', 'results', `${name}.json`), 'utf8')).trimEnd());
}

/** `arbiter bench batch|pipeline|models`: the benchmarks of bench/README.md. */
export function addBenchCommand(program: Command): void {
  program
    .command('bench <benchmark>')
    .description(`run a benchmark (${BENCHMARKS.join(', ')}) on this machine; see bench/README.md`)
    .option('--json', 'print the results file (bench/results/<benchmark>.json) instead of the table', false)
    .action((benchmark: string, opts: { json: boolean }) => runBenchmark(benchmarkOf(benchmark), opts));
}
