import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { ArbiterClient } from '../client';
import { ModelsAdmin } from '../admin/models';
import { PipelinesAdmin } from '../admin/pipelines';
import { BacktestsAdmin } from '../admin/backtests';
import { DecisionLog, type VectorStore } from '../admin/decision-log';
import type { ApiKey } from '../config/api-keys';
import type { ApiEnv } from './auth';
import type { ApiMetrics } from './metrics';

/** The app the route modules add their routes to; handlers read the caller with `c.get('caller')`. */
export type ApiApp = OpenAPIHono<ApiEnv>;

/** The registry, pipelines and decision log over one database. */
export interface ApiStores {
  models: ModelsAdmin;
  pipelines: PipelinesAdmin;
  decisions: DecisionLog;
  /** Stored backtests and their reports. */
  backtests: BacktestsAdmin;
}

/** Everything the HTTP API runs on, injected (tests build it from a test orchestrator). */
export interface ApiDeps extends ApiStores {
  client: ArbiterClient;
  /** The database the stores use; `/healthz` checks it. */
  pool: Pool;
  /** Accepted bearer keys with their names and roles; `null` turns authentication off (`arbiter api --no-auth`). */
  apiKeys: readonly ApiKey[] | null;
  /** How long `POST /v1/decisions` waits for the answer before it answers 202 (ARBITER_API_DECIDE_WAIT). @default 10000 */
  decideWaitMs?: number;
  /** Browser origins (the Temporal UI's) allowed to call `/codec/*` (ARBITER_CODEC_CORS_ORIGINS). @default none */
  codecCorsOrigins?: readonly string[];
  /** The Temporal Web UI's base address, for the console's links to workflows (ARBITER_TEMPORAL_UI_URL). @default none */
  temporalUi?: string;
  /** Largest request body in bytes. @default 1 MiB */
  bodyLimit?: number;
  /** @default createApiMetrics() */
  metrics?: ApiMetrics;
  /** Where server errors go. @default a silent logger */
  log?: Logger;
  /** The API version in `/openapi.json`. @default package.json's */
  version?: string;
}

/**
 * The stores on an existing pool (kept open by its owner); `close()` releases the model adapters.
 * @param vectors the case vectors bulk feedback labels too @default none
 */
export function storesFromPool(
  pool: Pool,
  modelsDir: string,
  vectors?: VectorStore,
): ApiStores & { close(): Promise<void> } {
  const models = ModelsAdmin.fromPool(pool, modelsDir);
  return {
    models,
    pipelines: PipelinesAdmin.fromPool(pool),
    decisions: new DecisionLog(pool, { vectors }),
    backtests: BacktestsAdmin.fromPool(pool),
    close: () => models.close(),
  };
}
