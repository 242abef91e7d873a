import type { Pool } from 'pg';
import { json, out } from './output';

/**
 * Runs `fn` with a small pool on DATABASE_URL, or on the embedded stack's database while `arbiter
 * dev` runs: the registry commands (pipelines, rules) read and write there directly.
 */
export async function withAdminPool<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  const [{ openDatabase }, { databaseUrlOf, loadEnv }] = await Promise.all([
    import('../admin/database'),
    import('../config/env'),
  ]);
  const pool = await openDatabase(databaseUrlOf(loadEnv()), { max: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/** A spec file's check: `valid`, or one line per issue; an invalid file sets the exit code. */
export function printValidation(
  file: string,
  result: { ok: true } | { ok: false; issues: { path: string; message: string }[] },
  asJson: boolean,
): void {
  if (asJson) json(result.ok ? { ok: true } : result);
  else if (result.ok) out(`${file}: valid`);
  else for (const issue of result.issues) out(`${file}: ${issue.path}: ${issue.message}`);
  if (!result.ok) process.exitCode = 1;
}
