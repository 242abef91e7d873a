import { ApplicationFailure, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { Failure } from '../core/failures';
import { combineScores } from '../core/pipeline/combine';
import type { PinnedModel } from '../core/model-ref';

type Activities = ReturnType<typeof createActivities>;

const { loadPipeline, callModel } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2s',
  retry: { maximumAttempts: 2, initialInterval: '50ms' },
});

/**
 * A pipeline written as plain workflow code, for those who prefer code to YAML: the same
 * activities (`loadPipeline` pins models by alias, `callModel` runs them) and the same combiners.
 * Here: two scorers in parallel, averaged, with the anomaly detector breaking ties upward.
 */
export async function codePipelineWorkflow(
  input: Record<string, unknown>,
): Promise<{ score: number; models: PinnedModel[] }> {
  // Pin the aliases once, at the start, exactly as the interpreter does.
  const pinned = await loadPipeline({ model: 'phishing-gb:champion' });
  const gb = pinned.pins['phishing-gb:champion'];
  const tfjs = (await loadPipeline({ model: 'phishing-tfjs:champion' })).pins['phishing-tfjs:champion'];
  if (!gb || !tfjs)
    throw ApplicationFailure.nonRetryable(`${workflowInfo().workflowType}: pinning failed`, Failure.Pipeline.Invalid);
  const [a, b] = await Promise.all([callModel({ model: gb, input }), callModel({ model: tfjs, input })]);
  const members = [
    { id: 'gb', score: Number(a.output.score) },
    { id: 'tfjs', score: Number(b.output.score) },
  ];
  const score = combineScores(
    { id: 'mean', type: 'combine', method: 'mean', inputs: ['gb', 'tfjs'], threshold: 0.5 },
    members,
  );
  return { score, models: [gb, tfjs] };
}
