import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { ReviewPolicySchema, type ReviewPolicy } from '../core/review';
import { DecisionResultSchema } from '../core/decision';

/**
 * The review policy each decision started with (its timeout and what the timeout does), read from
 * the first event of its history: the policy lives only in the workflow's input. Decided through
 * the codec, so encrypted payloads read too. A workflow that cannot be read is left out.
 */
export async function reviewPolicies(
  temporal: Client,
  decisionIds: readonly string[],
): Promise<Map<string, ReviewPolicy>> {
  const { namespace, loadedDataConverter } = temporal.options;
  const found = new Map<string, ReviewPolicy>();
  await Promise.all(
    decisionIds.map(async (workflowId) => {
      try {
        const { history } = await temporal.workflowService.getWorkflowExecutionHistory({
          namespace,
          execution: { workflowId },
          maximumPageSize: 1,
        });
        const payloads = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
        const input: unknown = await decodeFromPayloadsAtIndex(loadedDataConverter, 0, payloads);
        const raw = (input as { review?: unknown } | null | undefined)?.review ?? {};
        const policy = ReviewPolicySchema.safeParse(raw);
        if (policy.success) found.set(workflowId, policy.data);
      } catch {
        // Best effort: the queue still shows the case, without its clock.
      }
    }),
  );
  return found;
}

/**
 * Why a closed (or missing) decision takes no review: already reviewed (with the verdict, by whom
 * and when), escalated, decided without review, or unknown.
 */
export async function closedReviewReason(temporal: Client, decisionId: string): Promise<string> {
  const handle = temporal.workflow.getHandle(decisionId);
  try {
    const info = await handle.describe();
    if (info.type !== 'decisionWorkflow') return 'no such decision';
    const decision = DecisionResultSchema.safeParse(await handle.result());
    const review = decision.success ? decision.data.review : undefined;
    if (!review) return `it needs no review (outcome ${decision.success ? decision.data.outcome : 'unknown'})`;
    if (review.state === 'escalated')
      return `it was escalated at ${review.at ?? '?'} (nobody reviewed it in time), final outcome ${review.finalOutcome ?? '?'}`;
    const note = review.note ? ` (${review.note})` : '';
    return `it was already reviewed: ${review.state} by ${review.reviewer ?? '?'} at ${review.at ?? '?'}${note}`;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'no such decision';
    return `it is already closed (${err instanceof Error ? err.message : String(err)})`;
  }
}
