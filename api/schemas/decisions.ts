import { z } from 'zod';
import { CaseIssueSchema, DecisionRequestSchema } from '../../core/case';
import { DecisionResultSchema, ModelResultSchema } from '../../core/decision';
import { SimilarCaseSchema } from '../../core/similar';
import { DecisionWorkflowInputSchema } from '../../core/workflow-input';
import { AuditSchema } from './audit';

/** `POST /v1/decisions`: the case (`caseId`, `input`) and how to decide it; unknown fields are refused. */
export const DecideBodySchema = z
  .strictObject({
    ...DecisionRequestSchema.shape,
    ...DecisionWorkflowInputSchema.pick({ model: true, thresholds: true, rules: true, review: true }).shape,
    /** The stored pipeline to run. @default 'demo' */
    pipeline: z.string().min(1).optional(),
  })
  .meta({ id: 'DecisionRequest' });
export type DecideBody = z.infer<typeof DecideBodySchema>;

/** `?wait=false` answers 202 at once; the default waits for the decision. */
export const DecideQuerySchema = z.object({
  wait: z.enum(['true', 'false']).optional().meta({ description: 'wait for the decision (default true)' }),
});

const r = DecisionResultSchema.shape;
const m = ModelResultSchema.shape;

/** A decision as `arbiter decide --json` prints it (core/decision-view.ts `decisionView`). */
export const DecisionViewSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    outcome: r.outcome,
    score: z.number(),
    reasons: z.array(z.string()),
    models: z.array(
      z.object({
        name: z.string(),
        version: z.string(),
        output: z.record(z.string(), z.unknown()).nullable(),
        latencyMs: z.number().nullable(),
        step: z.string(),
        arm: m.arm,
        status: m.status,
        late: z.boolean(),
      }),
    ),
    similar: z.array(SimilarCaseSchema.pick({ id: true, score: true, outcome: true, label: true, caseId: true })),
    degraded: z.boolean(),
    latencyMs: z.number().nullable(),
    late: z.array(z.string()),
    pipeline: r.pipeline,
    rules: r.rules,
    review: r.review,
    timings: z.record(z.string(), z.number()),
    workflowId: z.string(),
    runId: z.string(),
    decidedAt: z.string(),
  })
  .meta({ id: 'Decision' });

/** What `?wait=false` answers (202, with `Location`). */
export const StartedDecisionSchema = z.object({
  decisionId: z.string(),
  /** False when the case already had a decision: nothing new was started. */
  started: z.boolean(),
});

/** The decision log's row, once the decision is recorded there. */
const audit = AuditSchema.optional();

/** `GET /v1/decisions/{id}`: where a decision stands. */
export const DecisionStatusViewSchema = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('pending'), decisionId: z.string(), audit }),
    z.object({ status: z.literal('decided'), decisionId: z.string(), decision: DecisionViewSchema, audit }),
    z.object({
      status: z.literal('rejected'),
      decisionId: z.string(),
      issues: z.array(CaseIssueSchema),
      audit,
    }),
    z.object({
      status: z.literal('failed'),
      decisionId: z.string(),
      error: z.string(),
      type: z.string().optional(),
      audit,
    }),
  ])
  .meta({ id: 'DecisionStatus' });

/** A decision id in a path: the case id prefixed with `decision-`. */
export const DecisionIdParamsSchema = z.object({
  id: z.string().min(1).max(512).meta({ example: 'decision-phish-0206' }),
});
