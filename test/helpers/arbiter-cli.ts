import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../config/paths';

const run = promisify(execFile);
const BIN = join(PROJECT_ROOT, 'bin', 'arbiter.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `arbiter` command as a user would (a process of its own) and returns its exit code and output. */
export async function runArbiter(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
