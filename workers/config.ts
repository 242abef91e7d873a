import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../core/workflow-input';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/**
 * Arbiter's own environment variables. Temporal connection settings follow the SDK's envconfig
 * conventions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_PROFILE, ...).
 */
export const EnvSchema = z.object({
  /** @default '.arbiter' */
  ARBITER_DATA_DIR: z.string().default('.arbiter'),
  /** Unset: the embedded PGlite. */
  DATABASE_URL: optional,
  /** Unset: the embedded Temporal dev server. */
  TEMPORAL_ADDRESS: optional,
  /** @default 'arbiter-orchestrator' */
  ARBITER_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  /** @default 7233 */
  ARBITER_TEMPORAL_PORT: port(7233),
  /** @default 8233 */
  ARBITER_UI_PORT: port(8233),
  /** @default 5433 */
  ARBITER_PG_PORT: port(5433),
  /** @default '<project>/demo/models' */
  ARBITER_MODELS_DIR: z.string().default(resolve(PROJECT_ROOT, 'demo', 'models')),
  /** @default '<project>/demo/pipelines' */
  ARBITER_PIPELINES_DIR: z.string().default(resolve(PROJECT_ROOT, 'demo', 'pipelines')),
  /** @default '<project>/demo/rules' */
  ARBITER_RULES_DIR: z.string().default(resolve(PROJECT_ROOT, 'demo', 'rules')),
  /** Models a model-pool process serves, comma-separated. @default every registered model */
  ARBITER_POOL_MODELS: optional.transform((v) =>
    v
      ?.split(',')
      .map((m) => m.trim())
      .filter(Boolean),
  ),
  /** Step result cache: Redis when set, in-memory otherwise. */
  REDIS_URL: optional,
  /** Register the model cards in ARBITER_MODELS_DIR and apply the pipelines in ARBITER_PIPELINES_DIR at start (the embedded stack always does). @default false */
  ARBITER_REGISTER_CARDS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** @default 'info' */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ArbiterEnv = z.infer<typeof EnvSchema>;

/** Reads and validates the environment once; a bad value names the variable. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): ArbiterEnv {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  return parsed.data;
}

/** DATABASE_URL, or the embedded stack's database (while `arbiter dev` runs). */
export function databaseUrlOf(env: ArbiterEnv): string {
  return env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:${env.ARBITER_PG_PORT}/postgres?sslmode=disable`;
}

export { PROJECT_ROOT };
