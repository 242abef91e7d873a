import type { DataConverter } from '@temporalio/common';
import { Worker, type InjectedSinks, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { AnswerDesk } from '../client/answer-desk';
import type { DecisionResult } from '../core/decision';
import type { AnswerSinks } from '../core/messages';
import { workerTracing } from '../telemetry/tracing';
import { workflowBundlerOptions, WORKFLOWS_PATH } from './workflow-bundle';

export interface OrchestratorWorkerOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests share one per suite); otherwise the worker bundles `WORKFLOWS_PATH`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Workflow stack traces: the SDK's per-promise capture, the UI's Stack Trace tab (ARBITER_WORKFLOW_STACK_TRACES; not with a prebuilt bundle). @default false */
  stackTraces?: boolean;
  /** Workflow tasks run at once (ARBITER_WORKFLOW_TASK_SLOTS; config/env.ts says why more than the SDK's 40). @default 100 */
  workflowTaskSlots?: number;
  /** On shutdown, how long tasks under way may finish before activities are cancelled (ARBITER_SHUTDOWN_GRACE). @default 10000 */
  shutdownGraceMs?: number;
  /** config/temporal.ts `temporalTarget().dataConverter` (payload encryption). @default the SDK's */
  dataConverter?: DataConverter;
  /** The activities, built once by the caller (who pins with them too). @default createActivities(deps) */
  activities?: ReturnType<typeof createActivities>;
  /** Where decisions are handed to a client in this process (the embedded stack). @default none: dropped */
  answers?: AnswerDesk;
}

/** ARBITER_WORKFLOW_TASK_SLOTS's default (config/env.ts). */
export const DEFAULT_WORKFLOW_TASK_SLOTS = 100;

/** The worker that runs decision workflows and their local activities (model calls, the log). */
export async function createOrchestratorWorker(opts: OrchestratorWorkerOptions): Promise<Worker> {
  const workflowSource = opts.workflowBundle
    ? { workflowBundle: opts.workflowBundle }
    : {
        workflowsPath: WORKFLOWS_PATH,
        bundlerOptions: workflowBundlerOptions(opts.stackTraces ?? false),
      };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    ...workflowSource,
    maxConcurrentWorkflowTaskExecutions: opts.workflowTaskSlots ?? DEFAULT_WORKFLOW_TASK_SLOTS,
    activities: opts.activities ?? createActivities(opts.deps),
    dataConverter: opts.dataConverter,
    sinks: answerSinks(opts.answers),
    ...shutdownTimes(opts.shutdownGraceMs),
    // While tracing runs (OTEL_*): workflow, activity and client spans (the prebuilt bundle of a
    // test must have been built with the plugin's workflow interceptors).
    ...workerTracing(),
  });
}

/**
 * The `answers` sink every worker running decision workflows registers (an unregistered sink is
 * logged as an error): hands each decision to `desk`, where a client of this process may wait.
 */
export function answerSinks(desk?: AnswerDesk): InjectedSinks<AnswerSinks> {
  return {
    answers: {
      decided: { fn: (info, decision) => desk?.deliver(info.workflowId, { kind: 'decided', decision }) },
      failed: { fn: (info) => desk?.deliver(info.workflowId, { kind: 'failed' }) },
    },
  };
}

/**
 * What the record's activities tell `desk` (`ActivityDeps.answer`): each decision, the moment its
 * row is written. The workflow's sink then stays silent (`Recorded.answered`); it speaks for a
 * decision whose record handed nothing over (a retry that found its row).
 */
export function answerAtRecord(desk?: AnswerDesk): ((decision: DecisionResult) => void) | undefined {
  return desk && ((decision) => desk.deliver(decision.workflowId, { kind: 'decided', decision }));
}

/**
 * Worker shutdown bounds: tasks under way get `graceMs` to finish, then activities are cancelled,
 * and a second later the worker stops waiting for them (their tasks time out and run elsewhere).
 */
export function shutdownTimes(graceMs = 10_000): Pick<WorkerOptions, 'shutdownGraceTime' | 'shutdownForceTime'> {
  return { shutdownGraceTime: graceMs, shutdownForceTime: graceMs + 1_000 };
}
