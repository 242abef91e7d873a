import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { DecisionResultSchema, type DecisionResult } from '../core/decision';
import { decisionUpdate } from '../core/messages';
import type { DecisionPinner, DecisionWorkflowInput } from '../core/workflow-input';
import type { decisionWorkflow } from '../workflows';
import type { AnswerDesk } from './answer-desk';
import { toDecisionError } from './decision-errors';

// The two ways `ArbiterClient.decide` gets a decision: through the server (any client), or from the
// worker of its own process (the embedded stack). README "Decisions, once" tells them apart.

/**
 * How long `decide` waits for a decision from this process's worker before asking the server (the
 * update): long enough for a pipeline with a latency budget of seconds, short enough that a
 * decision whose first task failed here is not waited on for long.
 */
const IN_PROCESS_ANSWER_MS = 2_000;

/** What `decide` and `startDecision` start a decision workflow with. */
export interface DecisionStart {
  taskQueue: string;
  workflowId: string;
  args: [DecisionWorkflowInput];
  staticSummary: string;
  staticDetails: string;
  workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY';
  workflowIdConflictPolicy: 'USE_EXISTING';
  /** The decision's `Pipeline`, known at start (the workflow then skips its upsert). */
  typedSearchAttributes: SearchAttributePair[];
}

/** Update-with-start: the decision in one round trip through the server, wherever the worker runs. */
export async function decideThroughServer(temporal: Client, start: DecisionStart): Promise<DecisionResult> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof decisionWorkflow>('decisionWorkflow', start);
  try {
    const result = await temporal.workflow.executeUpdateWithStart(decisionUpdate, { startWorkflowOperation });
    return DecisionResultSchema.parse(result);
  } catch (err) {
    // Already decided (closed and not failed): the decision is the workflow's result.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw toDecisionError(err, start.workflowId);
    return resultOf(temporal, start.workflowId);
  }
}

/**
 * Eager start on this process's worker, the answer from its `answers` sink: no matching, no
 * update. The pipeline and rule set are pinned here with the worker's own cache, so the workflow
 * skips that round; a pin that fails leaves it to the workflow (which reports why). Eager start
 * does not combine with update-with-start, so anything off the fast path — a case already started
 * or decided, a start the server did not hand back eagerly, no answer in time — takes the decision
 * update (or the closed workflow's result) instead.
 */
export async function decideInProcess(
  temporal: Client,
  start: DecisionStart,
  local: { desk: AnswerDesk; pin?: DecisionPinner },
): Promise<DecisionResult> {
  const { workflowId } = start;
  const [args] = start.args;
  const pinned = await local
    .pin?.({ pipeline: args.pipeline, model: args.model, rules: args.rules })
    .catch(() => undefined);
  const wait = local.desk.expect(workflowId);
  let eager: boolean;
  try {
    const handle = await temporal.workflow.start<typeof decisionWorkflow>('decisionWorkflow', {
      ...start,
      ...(pinned ? { args: [{ ...args, pinned }] as [DecisionWorkflowInput] } : {}),
      requestEagerStart: true,
    });
    eager = handle.eagerlyStarted;
  } catch (err) {
    wait.cancel();
    if (err instanceof WorkflowExecutionAlreadyStartedError) return resultOf(temporal, workflowId);
    throw toDecisionError(err, workflowId);
  }
  if (!eager) wait.cancel();
  const answer = eager ? await wait.within(IN_PROCESS_ANSWER_MS) : ({ kind: 'none' } as const);
  if (answer.kind === 'decided') return DecisionResultSchema.parse(answer.decision);
  // It failed: the workflow's result carries the typed failure.
  if (answer.kind === 'failed') return resultOf(temporal, workflowId);
  return awaitDecision(temporal, workflowId);
}

/**
 * The decision update to a started workflow (it answers once decided, at once if it has), or
 * the result of one already closed. Right after an eager start the server may not know the
 * workflow yet: not found while running is asked again.
 */
async function awaitDecision(temporal: Client, workflowId: string): Promise<DecisionResult> {
  const handle = temporal.workflow.getHandle<typeof decisionWorkflow>(workflowId);
  for (let attempt = 0; ; attempt++) {
    try {
      return DecisionResultSchema.parse(await handle.executeUpdate(decisionUpdate));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw toDecisionError(err, workflowId);
      const running = await handle
        .describe()
        .then((d) => d.status.name === 'RUNNING')
        .catch(() => attempt < 20);
      if (!running) return resultOf(temporal, workflowId);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The decision a (finished or running) decision workflow returns. */
export async function resultOf(temporal: Client, workflowId: string): Promise<DecisionResult> {
  try {
    return DecisionResultSchema.parse(await temporal.workflow.getHandle<typeof decisionWorkflow>(workflowId).result());
  } catch (err) {
    throw toDecisionError(err, workflowId);
  }
}
