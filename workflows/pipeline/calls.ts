import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  TimeoutFailure,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { CaseIssueSchema } from '../../core/case';
import { Failure, failureChain } from '../../core/failures';
import type { PinnedModel } from '../../core/model-ref';
import type { ModelStep } from '../../core/pipeline/spec';
import { modelTaskQueue, type Arm, type ModelCall } from '../../core/pipeline/types';
import { patchedBefore } from '../patches';
import type { RunState } from './state';

type Activities = ReturnType<typeof createActivities>;

function retryOf(step: ModelStep): LocalActivityOptions['retry'] {
  const r = step.retry ?? { maximumAttempts: 2, initialIntervalMs: 50, backoffCoefficient: 2 };
  return {
    maximumAttempts: r.maximumAttempts,
    initialInterval: r.initialIntervalMs,
    backoffCoefficient: r.backoffCoefficient,
  };
}

/**
 * A local call is capped at what is left of the budget. While a local activity runs, its workflow
 * task stays open, so no server timer can fire and no answer can leave: a local member cannot
 * outlive the deadline, it is cut there (and recorded as late). Members that should finish after
 * the answer, for the record, belong on `remote` placement.
 */
function local(step: ModelStep, budgetMs: number | undefined) {
  const limit = budgetMs === undefined ? step.timeoutMs : Math.max(Math.min(step.timeoutMs, budgetMs), 1);
  const options: LocalActivityOptions = {
    startToCloseTimeout: limit,
    ...(budgetMs === undefined ? {} : { scheduleToCloseTimeout: Math.max(budgetMs, 1) }),
    retry: retryOf(step),
  };
  return proxyLocalActivities<Activities>(options).callModel;
}

/** Guards the bound on a remote call's wait for a worker: histories from before only had scheduleToClose (rule 13). */
export const REMOTE_START_PATCH = 'remote-start-timeout';

/**
 * How long a remote call waits for a model-pool worker to take it: the slack its scheduleToClose
 * always left for that wait. Past it the call fails `Placement.NoWorker` (not retried: Temporal does
 * not retry a schedule-to-start timeout, the queue would be the same) instead of timing out unnamed.
 */
export const REMOTE_START_TIMEOUT_MS = 5_000;

function remote(step: ModelStep, model: PinnedModel) {
  const attempts = step.retry?.maximumAttempts ?? 2;
  const options: ActivityOptions = {
    taskQueue: modelTaskQueue(model.name),
    startToCloseTimeout: step.timeoutMs,
    // No model-pool worker polling must not hang a decision: bound the wait for a worker too.
    scheduleToCloseTimeout: step.timeoutMs * attempts + REMOTE_START_TIMEOUT_MS,
    ...(patchedBefore(REMOTE_START_PATCH) ? { scheduleToStartTimeout: REMOTE_START_TIMEOUT_MS } : {}),
    retry: retryOf(step),
  };
  return proxyActivities<Activities>(options).callModel;
}

/** A remote call no model-pool worker took in time, named for what it most likely is. */
function noWorker(err: unknown, model: PinnedModel): NonNullable<ModelCall['error']> | undefined {
  const timeout = failureChain(err).find((e) => e instanceof TimeoutFailure);
  if (!(timeout instanceof TimeoutFailure) || timeout.timeoutType !== 'SCHEDULE_TO_START') return undefined;
  const queue = modelTaskQueue(model.name);
  return {
    type: Failure.Placement.NoWorker,
    message: `no model-pool worker took the call to ${model.name} within ${REMOTE_START_TIMEOUT_MS / 1000} s (task queue ${queue}): no pool serves it, or every pool is busy`,
  };
}

/** The innermost ApplicationFailure of an activity failure, for the audit trail. */
export function rootFailure(err: unknown): NonNullable<ModelCall['error']> {
  const chain = failureChain(err);
  // What the ActivityFailure wrappers carry (the innermost wrapper, should it carry nothing).
  const e = chain.find((link) => !(link instanceof ActivityFailure)) ?? chain.at(-1);
  if (e instanceof TimeoutFailure) return { type: Failure.Activity.Timeout, message: e.message };
  if (e instanceof ApplicationFailure) {
    const [issues] = e.details ?? [];
    const parsed = CaseIssueSchema.array().safeParse(issues);
    return { type: e.type ?? undefined, message: e.message, ...(parsed.success ? { issues: parsed.data } : {}) };
  }
  return { message: e instanceof Error ? e.message : String(e) };
}

function isBusy(err: unknown): boolean {
  return rootFailure(err).type === Failure.Placement.Busy;
}

/**
 * Calls one pinned model for a step, where the step's placement says, and records the call.
 * Resolves to the call record (never rejects): the caller decides what a failure means.
 */
export async function callModel(
  state: RunState,
  step: ModelStep,
  ref: string,
  arm: Arm,
  input: Record<string, unknown>,
): Promise<ModelCall> {
  const model = state.pinned.pins[ref];
  if (!model)
    throw ApplicationFailure.nonRetryable(`pipeline bug: model ${ref} was not pinned`, Failure.Pipeline.Invalid);
  const call: ModelCall = {
    callId: state.nextCallId(step.id),
    stepId: step.id,
    model: model.name,
    version: model.version,
    arm,
    placement: step.placement === 'remote' ? 'remote' : 'local',
    status: 'pending',
    late: false,
  };
  state.calls.push(call);
  const args = { model, input, cacheTtlSeconds: step.cache?.ttlSeconds };
  const budgetMs = state.deadline === undefined ? undefined : state.deadline - Date.now();
  try {
    let result;
    if (step.placement === 'auto') {
      try {
        result = await local(step, budgetMs)({ ...args, auto: true });
      } catch (err) {
        if (!isBusy(err)) throw err;
        call.placement = 'remote';
        state.armDeadline();
        result = await remote(step, model)(args);
      }
    } else {
      if (step.placement === 'remote') state.armDeadline();
      result = await (step.placement === 'remote' ? remote(step, model) : local(step, budgetMs))(args);
    }
    Object.assign(call, { status: 'ok', output: result.output, latencyMs: result.latencyMs, late: state.answered });
  } catch (err) {
    const error = (call.placement === 'remote' ? noWorker(err, model) : undefined) ?? rootFailure(err);
    // A local call cut by the budget is late, not broken. (Workflow time stands still while local
    // activities run, so ask whether the budget was the tighter limit, not what time it is.)
    const budgetCut = budgetMs !== undefined && budgetMs <= step.timeoutMs * (step.retry?.maximumAttempts ?? 2);
    const cut = error.type === Failure.Activity.Timeout && call.placement === 'local' && budgetCut;
    Object.assign(call, { status: 'failed', error, late: state.answered || cut });
  }
  return call;
}
