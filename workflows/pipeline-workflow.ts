import { proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { workflowFailure } from '../core/failures';
import type { PipelineResult } from '../core/pipeline/types';
import { DEFAULT_PIPELINE } from '../core/workflow-input';
import { waitOutOutage } from './outage';
import { runPipeline } from './pipeline/interpreter';

type Activities = ReturnType<typeof createActivities>;

const { loadPipeline } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 5 },
});

/** What `executePipeline` and `executeModel` start. */
export interface PipelineWorkflowInput {
  /** A stored pipeline's name… */
  pipeline?: string;
  /** …or a single model reference. */
  model?: string;
  input: Record<string, unknown>;
}

/**
 * Runs a pipeline (or one model) on one input and returns every output, with no thresholds and
 * no decision record: the building block for callers that decide themselves. Waits for late and
 * shadow calls before completing, so the history holds every call.
 */
export async function pipelineWorkflow(args: PipelineWorkflowInput): Promise<PipelineResult> {
  try {
    const { workflowId, runStartTime } = workflowInfo();
    const pinned = await waitOutOutage('loadPipeline', () =>
      loadPipeline(args.model ? { model: args.model } : { name: args.pipeline ?? DEFAULT_PIPELINE }),
    );
    const { result, state } = await runPipeline(pinned, args.input, {
      decisionKey: workflowId,
      startedAt: runStartTime.getTime(),
    });
    await Promise.allSettled(state.background);
    return { ...result, calls: state.calls.map((c) => ({ ...c })) };
  } catch (err) {
    throw workflowFailure(err);
  }
}
