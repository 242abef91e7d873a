import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { z } from 'zod';
import { CaseIssueSchema } from '../core/case';
import { DecisionResultSchema, OutcomeSchema, type DecisionResult } from '../core/decision';
import { errorChain, Failure } from '../core/failures';
import { decisionQuery } from '../core/messages';
import { DecisionOutcomeKey, DegradedKey, PipelineKey, ReviewStateKey, ScoreKey } from '../core/search-attributes';
import { UnknownDecisionError } from './errors';

/** Where a started decision stands (`getDecision`). */
export const DecisionStatusSchema = z.discriminatedUnion('status', [
  /** Started; the pipeline has not answered yet. */
  z.object({ status: z.literal('pending'), decisionId: z.string() }),
  /** Decided (a `review` outcome may still be waiting for a person: see `decision.review`). */
  z.object({ status: z.literal('decided'), decisionId: z.string(), decision: DecisionResultSchema }),
  /** The case failed validation; the rejection is recorded. */
  z.object({ status: z.literal('rejected'), decisionId: z.string(), issues: z.array(CaseIssueSchema) }),
  /** The decision could not be taken (unknown pipeline or model, no score, ...). */
  z.object({ status: z.literal('failed'), decisionId: z.string(), error: z.string(), type: z.string().optional() }),
]);
export type DecisionStatus = z.infer<typeof DecisionStatusSchema>;

/** What `startDecision` says. */
export interface StartedDecision {
  decisionId: string;
  /** False when this case already had a decision (running or done): nothing new was started. */
  started: boolean;
}

/** One decision as Temporal's visibility lists it (`listDecisions`). */
export const DecisionSummarySchema = z.object({
  decisionId: z.string(),
  /** The workflow's state: `Running` while it waits for late calls or a reviewer. */
  status: z.string(),
  outcome: z.union([OutcomeSchema, z.literal('rejected')]).optional(),
  score: z.number().optional(),
  pipeline: z.string().optional(),
  degraded: z.boolean().optional(),
  reviewState: z.string().optional(),
  startedAt: z.string(),
});
export type DecisionSummary = z.infer<typeof DecisionSummarySchema>;

/** Filters for `listDecisions`; all optional, combined with AND. */
export const DecisionFilterSchema = z.object({
  outcome: z.union([OutcomeSchema, z.literal('rejected')]).optional(),
  pipeline: z.string().min(1).optional(),
  reviewState: z.enum(['pending', 'approved', 'declined', 'escalated']).optional(),
  minScore: z.number().optional(),
  degraded: z.boolean().optional(),
  /** @default 50 */
  limit: z.number().int().min(1).max(1000).default(50),
});
export type DecisionFilter = z.input<typeof DecisionFilterSchema>;

/** Starts a decision workflow unless the case already has one; `start` carries the full options. */
export async function startOnce(start: () => Promise<unknown>, decisionId: string): Promise<StartedDecision> {
  try {
    await start();
    return { decisionId, started: true };
  } catch (err) {
    // Already decided and closed (not failed): that decision stands.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { decisionId, started: false };
    throw err;
  }
}

/**
 * Where a decision stands, from its workflow: its answer once taken (a query while the workflow
 * still runs, its result once closed), or why it was rejected or failed.
 * @throws UnknownDecisionError when no decision has this id
 */
export async function decisionStatus(temporal: Client, decisionId: string): Promise<DecisionStatus> {
  const handle = temporal.workflow.getHandle(decisionId);
  let info: WorkflowExecutionDescription;
  try {
    info = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UnknownDecisionError(decisionId, { cause: err });
    throw err;
  }
  if (info.type !== 'decisionWorkflow') throw new UnknownDecisionError(decisionId);
  if (info.status.name === 'RUNNING') {
    const decision = await handle.query(decisionQuery);
    return decision
      ? { status: 'decided', decisionId, decision: DecisionResultSchema.parse(decision) }
      : { status: 'pending', decisionId };
  }
  try {
    return { status: 'decided', decisionId, decision: DecisionResultSchema.parse(await handle.result()) };
  } catch (err) {
    return failedStatus(decisionId, err);
  }
}

type RootFailure = { type?: string | null; message: string; details?: unknown[] };

function failedStatus(decisionId: string, err: unknown): DecisionStatus {
  // The innermost link with a `type`: the ApplicationFailure at the root.
  const root = errorChain(err).findLast((e) => 'type' in e) as RootFailure | undefined;
  if (root?.type === Failure.Decision.InvalidCase) {
    const issues = CaseIssueSchema.array().safeParse(root.details?.[0]);
    return { status: 'rejected', decisionId, issues: issues.success ? issues.data : [] };
  }
  const message = root?.message ?? (err instanceof Error ? err.message : String(err));
  return { status: 'failed', decisionId, error: message, ...(root?.type ? { type: root.type } : {}) };
}

/** A visibility query from filters; values are quoted, never spliced raw. */
export function decisionListQuery(taskQueue: string, filter: DecisionFilter): string {
  const f = DecisionFilterSchema.parse(filter);
  const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const parts = [`WorkflowType = 'decisionWorkflow'`, `TaskQueue = ${quote(taskQueue)}`];
  if (f.outcome) parts.push(`DecisionOutcome = ${quote(f.outcome)}`);
  if (f.pipeline) parts.push(`Pipeline = ${quote(f.pipeline)}`);
  if (f.reviewState) parts.push(`ReviewState = ${quote(f.reviewState)}`);
  if (f.minScore !== undefined) parts.push(`Score >= ${f.minScore}`);
  if (f.degraded !== undefined) parts.push(`Degraded = ${f.degraded}`);
  return parts.join(' AND ');
}

/** Decisions newest first, as Temporal's visibility sees them (eventually consistent: a second or so). */
export async function listDecisionSummaries(
  temporal: Client,
  taskQueue: string,
  filter: DecisionFilter = {},
): Promise<DecisionSummary[]> {
  const { limit } = DecisionFilterSchema.parse(filter);
  const found: DecisionSummary[] = [];
  for await (const wf of temporal.workflow.list({ query: decisionListQuery(taskQueue, filter) })) {
    const sa = wf.typedSearchAttributes;
    const outcome = sa.get(DecisionOutcomeKey);
    found.push(
      DecisionSummarySchema.parse({
        decisionId: wf.workflowId,
        status: wf.status.name,
        outcome,
        score: sa.get(ScoreKey),
        pipeline: sa.get(PipelineKey),
        degraded: sa.get(DegradedKey),
        reviewState: sa.get(ReviewStateKey),
        startedAt: wf.startTime.toISOString(),
      }),
    );
    if (found.length >= limit) break;
  }
  return found;
}

export type { DecisionResult };
