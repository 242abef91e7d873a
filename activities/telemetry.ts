import { Context } from '@temporalio/activity';
import type { Attributes } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { DECISION_ID_ATTR } from '../telemetry/spans';

/** The decision an activity works for: a decision workflow's id is its decision id (core/workflow-input.ts). */
export function activityDecisionId(): string | undefined {
  try {
    const { workflowType, workflowExecution } = Context.current().info;
    return workflowType === 'decisionWorkflow' ? workflowExecution?.workflowId : undefined;
  } catch {
    return undefined; // called outside an activity (tests, the API's direct paths)
  }
}

/** Span attributes naming the decision under way, if any. */
export function decisionAttributes(): Attributes {
  const decisionId = activityDecisionId();
  return decisionId ? { [DECISION_ID_ATTR]: decisionId } : {};
}

/**
 * `log` for the activity under way: every line carries the workflow id, the activity type and,
 * for a decision, its decision id.
 */
export function activityLog(log: Logger): Logger {
  try {
    const { activityType, workflowExecution } = Context.current().info;
    const decisionId = activityDecisionId();
    return log.child({
      workflowId: workflowExecution?.workflowId,
      activity: activityType,
      ...(decisionId ? { decisionId } : {}),
    });
  } catch {
    return log;
  }
}
