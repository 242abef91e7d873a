import { readFile } from 'node:fs/promises';

/** Benches build their stacks as the tests do. */
export { isolatedStackEnv } from '../test/helpers/stack-env';

/** A process's peak resident memory (VmHWM), MiB; undefined when it cannot be read. */
export function peakRssMb(pid: number | undefined): Promise<number | undefined> {
  return procStatusMb(pid, 'VmHWM');
}

/** A process's resident memory now (VmRSS), MiB; undefined when it cannot be read. */
export function rssMb(pid: number | undefined): Promise<number | undefined> {
  return procStatusMb(pid, 'VmRSS');
}

async function procStatusMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): Promise<number | undefined> {
  if (!pid) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return kb ? Number(kb) / 1024 : undefined;
}
