// The naive Temporal baseline for bench/pipeline.ts: one regular activity per model, results
// combined by a mean — what a first Temporal implementation would do.
import { proxyActivities } from '@temporalio/workflow';
import type { CallModelInput, CallModelOutput } from '../activities/call-model';

const { callModel } = proxyActivities<{ callModel(input: CallModelInput): Promise<CallModelOutput> }>({
  startToCloseTimeout: '5s',
});

export async function naiveFanoutWorkflow(
  models: CallModelInput['model'][],
  input: Record<string, unknown>,
): Promise<number> {
  const outputs = await Promise.all(models.map((model) => callModel({ model, input })));
  return outputs.reduce((sum, o) => sum + Number(o.output.score), 0) / outputs.length;
}
