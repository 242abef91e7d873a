import {
  ApplicationFailure,
  TemporalFailure,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { DecisionRequestSchema, toCaseIssues, type CaseIssue } from '../core/case';
import { applyThresholds, DEFAULT_THRESHOLDS, type DecisionResult } from '../core/decision';
import { FailureType } from '../core/errors';
import { DecisionOutcomeKey, PipelineKey, ScoreKey } from '../core/search-attributes';
import { DecisionWorkflowInputSchema, type DecisionWorkflowInput } from '../core/workflow-input';

type Activities = ReturnType<typeof createActivities>;

// Local activities: the model and the log live in the orchestrator worker, so a decision costs one
// workflow task instead of a server round trip per step. Retries stay bounded: a decision that
// cannot finish must fail visibly rather than hang.
const { resolveModel, scoreCase, recordDecision, recordRejection } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 5 },
});

/**
 * Decides one case: validate → score with the pinned model → thresholds → record.
 * A case that fails validation is recorded as rejected and fails the workflow with a
 * non-retryable `Decision.InvalidCase` naming every bad field.
 */
export async function decisionWorkflow(rawArgs: DecisionWorkflowInput): Promise<DecisionResult> {
  try {
    return await decide(rawArgs);
  } catch (err) {
    if (err instanceof TemporalFailure) throw err;
    // A plain Error would only fail the workflow task and be retried forever.
    throw ApplicationFailure.create({ type: FailureType.WorkflowBug, message: String(err), nonRetryable: true });
  }
}

async function decide(rawArgs: DecisionWorkflowInput): Promise<DecisionResult> {
  const { workflowId, runId } = workflowInfo();
  const argsParse = DecisionWorkflowInputSchema.safeParse(rawArgs);
  if (!argsParse.success) return reject(null, toCaseIssues(argsParse.error), rawArgs);
  const args = argsParse.data;
  const request = DecisionRequestSchema.safeParse(args.request);
  if (!request.success) return reject(caseIdOf(args.request), toCaseIssues(request.error), args.request);
  const { caseId, input } = request.data;
  const pipeline = args.pipeline;
  upsertSearchAttributes([{ key: PipelineKey, value: pipeline }]);

  const model = await resolveModel(args.model);
  let scored;
  try {
    scored = await scoreCase({ model, input });
  } catch (err) {
    const issues = invalidInputIssues(err);
    if (issues) return reject(caseId, issues, args.request);
    throw err;
  }
  const thresholds = args.thresholds ?? DEFAULT_THRESHOLDS;
  const { outcome, reasons } = applyThresholds(scored.result.score, thresholds);
  const result: DecisionResult = {
    decisionId: workflowId,
    caseId,
    outcome,
    score: scored.result.score,
    reasons,
    models: [scored.result],
    thresholds,
    workflowId,
    runId,
    decidedAt: new Date().toISOString(),
  };
  await recordDecision({ ...result, pipeline, input: scored.features });
  upsertSearchAttributes([
    { key: DecisionOutcomeKey, value: outcome },
    { key: ScoreKey, value: result.score },
  ]);
  return result;
}

async function reject(caseId: string | null, issues: CaseIssue[], input: unknown): Promise<never> {
  const { workflowId, runId } = workflowInfo();
  await recordRejection({ caseId, workflowId, runId, issues, input: input ?? null });
  upsertSearchAttributes([{ key: DecisionOutcomeKey, value: 'rejected' }]);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw ApplicationFailure.create({
    type: FailureType.InvalidCase,
    message: `invalid case: ${summary}`,
    nonRetryable: true,
    details: [issues],
  });
}

function caseIdOf(request: unknown): string | null {
  if (typeof request !== 'object' || request === null) return null;
  const id = (request as Record<string, unknown>).caseId;
  return typeof id === 'string' ? id.slice(0, 128) : null;
}

/** The field-level issues of a model's non-retryable input rejection, if that is what `err` is. */
function invalidInputIssues(err: unknown): CaseIssue[] | undefined {
  if (!(err instanceof TemporalFailure)) return undefined;
  // Walk the chain: a local activity's failure can arrive bare or under an ActivityFailure.
  let cause: unknown = err;
  while (
    cause instanceof Error &&
    !(cause instanceof ApplicationFailure && cause.type === FailureType.ModelInvalidInput)
  ) {
    cause = cause.cause;
  }
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const [issues] = cause.details ?? [];
  return Array.isArray(issues) ? (issues as CaseIssue[]) : [{ path: 'input', message: cause.message }];
}
