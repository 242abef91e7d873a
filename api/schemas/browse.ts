import { z } from 'zod';
import { FeedbackStatsSchema } from '../../core/feedback';
import {
  DecisionSearchSchema,
  ReviewQueueQuerySchema,
  ReviewSummarySchema,
  TimelineCountsSchema,
} from '../../core/decision-search';
import { RoleSchema } from '../../config/api-keys';
import { AuditSchema } from './audit';

export { DecisionSearchSchema, ReviewQueueQuerySchema };

/** `GET /v1/decisions`: a page of decision-log rows, newest first. */
export const DecisionPageSchema = z
  .object({
    decisions: z.array(AuditSchema),
    /** Pass as `cursor` for the next page; absent on the last. */
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'DecisionPage' });

/** `GET /v1/reviews`: the queue, oldest first. */
export const ReviewQueueSchema = z
  .object({ reviews: z.array(ReviewSummarySchema.meta({ id: 'ReviewSummary' })) })
  .meta({ id: 'ReviewQueue' });

/** `GET /v1/decisions/activity`: the window and bucket the dashboard asks for. */
export const ActivityQuerySchema = z.object({
  /** How far back, in hours. @default 24 */
  hours: z.coerce
    .number()
    .min(0.1)
    .max(24 * 90)
    .default(24),
  /** Bucket width in seconds. @default the window / 48, at least 60 */
  bucketS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400 * 7)
    .optional(),
  pipeline: z.string().min(1).max(200).optional(),
  /** A member's score at or above it reads as decline / fraud. @default 0.5 */
  cutoff: z.coerce.number().min(0).max(1).default(0.5),
});

const BatchRunSchema = z.object({
  batchId: z.string(),
  workflowId: z.string(),
  pipeline: z.object({ name: z.string(), version: z.string() }),
  status: z.enum(['running', 'done', 'failed']),
  total: z.number().int().nullable(),
  counts: z.record(z.string(), z.unknown()),
  lastError: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const ScheduleSchema = z.object({
  name: z.string(),
  spec: z.string(),
  paused: z.boolean(),
  nextRuns: z.array(z.string()),
  running: z.array(z.string()),
});

/** Everything the dashboard draws. */
export const ActivitySchema = z
  .object({
    since: z.string(),
    bucketS: z.number().int(),
    timeline: z.array(z.object({ t: z.string(), ...TimelineCountsSchema.shape })),
    backlog: z.object({
      reviewsPending: z.number().int(),
      oldestReviewAgeS: z.number(),
      batches: z.record(z.string(), z.number()),
    }),
    /** Per member model@version: share of final approve/decline outcomes its score agreed with. */
    agreement: z.array(
      z.object({ model: z.string(), version: z.string(), n: z.number().int(), agreement: z.number() }),
    ),
    /** `arbiter decisions stats` over the window: accuracy of the decisions and each member against labels. */
    stats: FeedbackStatsSchema,
    batches: z.array(BatchRunSchema),
    /** Absent when Temporal could not list them. */
    schedules: z.array(ScheduleSchema).optional(),
  })
  .meta({ id: 'Activity' });

/** `GET /v1/console/session`: who the key is, and where the console links to. */
export const SessionSchema = z
  .object({
    name: z.string(),
    roles: z.array(RoleSchema),
    /** The Temporal Web UI's base address (links to each decision's workflow); absent when unknown. */
    temporalUi: z.string().optional(),
    namespace: z.string(),
  })
  .meta({ id: 'ConsoleSession' });
