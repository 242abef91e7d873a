import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../cli/stack/ports';
import { loadEnv, type ArbiterEnv } from '../../config/env';

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
