import type { Client } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export interface SuiteReplay {
  replayed: number;
  /** Each history that did not replay, with why. */
  failures: { workflowId: string; error: string }[];
}

/**
 * Replays, from the first event, the history of every workflow that ran on `taskQueue` (finished or
 * not) on the given bundle: a suite's closing check that each workflow task its tests produced is
 * what today's code produces again — what `maxCachedWorkflows: 0` would check task by task, which
 * sdk-core cannot run with local activities (an eviction mid-task strands their markers:
 * temporalio/sdk-rust#1482, "This is an SDK bug").
 */
export async function replaySuiteHistories(
  client: Client,
  taskQueue: string,
  workflowBundle: WorkflowBundleWithSourceMap,
): Promise<SuiteReplay> {
  const histories = client.workflow.list({ query: `TaskQueue = "${taskQueue}"` }).intoHistories();
  let replayed = 0;
  const failures: SuiteReplay['failures'] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    replayed += 1;
    if (result.error) failures.push({ workflowId: result.workflowId, error: result.error.message });
  }
  return { replayed, failures };
}
