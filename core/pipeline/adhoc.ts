import type { PipelineSpec } from './spec';

/** A one-step pipeline around a single model, for `decide(…, { model })` and `executeModel`. */
export function singleModelSpec(ref: string, timeoutMs = 10_000): PipelineSpec {
  return {
    name: 'adhoc',
    description: `single model ${ref}`,
    steps: [{ id: 'model', type: 'model', model: ref, timeoutMs, placement: 'local' }],
    output: 'model',
  };
}
