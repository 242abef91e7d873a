import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { ArbiterClient } from '../../client';

/** What one recording attempt gets: the dev server's client, Arbiter's client, a fresh id. */
export interface Attempt {
  temporal: Client;
  client: ArbiterClient;
  taskQueue: string;
  /** Unique per attempt: case ids, workflow ids. */
  id: string;
}

/** The run whose history is kept, and what the workflow returned or threw. */
export interface Ran {
  workflowId: string;
  /** @default the latest run of `workflowId` */
  runId?: string;
  outcome: unknown;
}

/** One path through a workflow: how to drive it there and how to tell that it went there. */
export interface Scenario {
  /** The scripted activities, registered on the orchestrator worker and on every model pool. */
  activities: object;
  /** Models with a pool worker of their own (`remote` or `auto` placement). @default none */
  pools?: string[];
  run(attempt: Attempt): Promise<Ran>;
  took(history: History, outcome: unknown): boolean;
}

/** A promise's value or its rejection, whichever it settles with. */
export function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (err: unknown) => err,
  );
}

/** Starts a decision workflow the way a raw Temporal client would (around ArbiterClient's checks). */
export async function startRawDecision(a: Attempt, args: unknown): Promise<Ran> {
  const workflowId = `decision-${a.id}`;
  const handle = await a.temporal.workflow.start('decisionWorkflow', {
    taskQueue: a.taskQueue,
    workflowId,
    args: [args],
  });
  return { workflowId, runId: handle.firstExecutionRunId, outcome: await settle(handle.result()) };
}

/** Decides a case through ArbiterClient (update-with-start) and waits for the workflow to close. */
export async function decideThenClose(a: Attempt, request: unknown, options: Parameters<ArbiterClient['decide']>[1]) {
  const decision = await a.client.decide(request, options);
  const handle = a.temporal.workflow.getHandle(decision.workflowId);
  return { workflowId: decision.workflowId, outcome: await settle(handle.result()) };
}
