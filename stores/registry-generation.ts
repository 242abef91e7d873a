import type { Pool } from 'pg';
import { prepared } from './prepared';

/**
 * The registry's generation: a counter that every write to models, versions, aliases, pipelines or
 * rule sets bumps in its own transaction (migration 9's triggers). Equal generations mean nothing
 * a decision pins has changed in between.
 */
export async function registryGeneration(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ n: string }>(prepared('SELECT n FROM registry_generation', []));
  const n = rows[0]?.n;
  if (n === undefined) throw new Error('registry_generation has no row (is migration 9 applied?)');
  return n;
}
