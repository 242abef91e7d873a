import type { PipelineSpec } from './spec';

/** The name (and version) of the pipeline a single-model decision runs. */
export const ADHOC_PIPELINE = 'adhoc';

/** A one-step pipeline around a single model, for `decide(…, { model })` and `executeModel`. */
export function singleModelSpec(ref: string, timeoutMs = 10_000): PipelineSpec {
  return {
    name: ADHOC_PIPELINE,
    description: `single model ${ref}`,
    steps: [{ id: 'model', type: 'model', model: ref, timeoutMs, placement: 'local' }],
    output: 'model',
  };
}
