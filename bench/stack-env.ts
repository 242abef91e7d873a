import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../cli/stack/ports';
import { loadEnv, type ArbiterEnv } from '../config/env';

/**
 * The environment of an embedded stack of a test's or benchmark's own: a fresh data dir and free
 * ports, so a running `arbiter dev` is never disturbed. `databaseUrl` swaps PGlite for a real
 * PostgreSQL; `extra` sets anything else (a task queue, the metrics port).
 */
export async function isolatedStackEnv(
  prefix: string,
  databaseUrl = '',
  extra: Record<string, string> = {},
): Promise<{ env: ArbiterEnv; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const env = loadEnv({
    ...process.env,
    ARBITER_DATA_DIR: dataDir,
    ARBITER_PG_PORT: String(await freePort()),
    ARBITER_TEMPORAL_PORT: String(await freePort()),
    ARBITER_UI_PORT: String(await freePort()),
    ARBITER_METRICS_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: '',
    DATABASE_URL: databaseUrl,
    ...extra,
  });
  return { env, dataDir };
}

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
