import { z } from '@hono/zod-openapi';
import { BacktestIdSchema } from '../../core/lab/backtest';
import { BacktestReportSchema } from '../../core/lab/report';

const Ref = z.object({ name: z.string(), version: z.string() });

/**
 * `POST /v1/backtests`: a stored candidate (`pipeline`: NAME or NAME@VERSION) or one given whole
 * (`spec`), replayed over past decisions. Pipeline specs nest recursively, so the document shows an
 * object; the spec is checked fully, as `POST /v1/pipelines` checks it.
 */
export const BacktestBodySchema = z
  .object({
    pipeline: z.string().min(1).max(80).optional().meta({ example: 'demo@3' }),
    spec: z.record(z.string(), z.unknown()).optional(),
    /** A stored rule set, NAME or NAME@VERSION. @default the one the decisions used, else their thresholds */
    rules: z.string().min(1).max(80).optional(),
    /** Whose decisions are replayed. @default the candidate's name */
    against: z.string().min(1).max(63).optional(),
    since: z.string().datetime({ offset: true }).optional(),
    until: z.string().datetime({ offset: true }).optional(),
    /** @default 1 */
    seed: z.number().int().optional(),
    /** @default 50 */
    changedLimit: z.number().int().min(0).max(10_000).optional(),
    backtestId: BacktestIdSchema.optional(),
  })
  .refine((b) => (b.pipeline === undefined) !== (b.spec === undefined), {
    message: 'give exactly one of pipeline (a stored NAME[@VERSION]) or spec (a pipeline spec)',
    path: ['pipeline'],
  });

export const BacktestStartedSchema = z.object({ backtestId: z.string(), workflowId: z.string() });

/** `GET /v1/backtests/{id}`: where it stands and, once done, the report. */
export const StoredBacktestViewSchema = z
  .object({
    backtestId: z.string(),
    workflowId: z.string(),
    pipeline: Ref,
    rules: Ref.nullable(),
    against: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    total: z.number().int().nullable(),
    replayed: z.number().int(),
    failed: z.number().int(),
    since: z.string().nullable(),
    until: z.string().nullable(),
    seed: z.number().int(),
    actor: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    report: BacktestReportSchema.nullable(),
  })
  .meta({ id: 'Backtest' });

export const BacktestParamsSchema = z.object({ id: BacktestIdSchema.meta({ example: 'bt-20261205T010000Z-1a2b' }) });
