import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import { versionId } from '../core/model-version';
import { assertTtl, cacheKey, type ResultCache } from '../stores/cache';
import type { InvokeOptions, ModelAdapter, ModelInput, ModelOutput, Prediction } from './adapter';

const isOutput = (v: unknown): v is ModelOutput => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Wraps an adapter so rows answered before come from `cache`, keyed by version and input. The
 * inner adapter is called once, with only the rows not found (first-seen order, identical rows
 * asked once), and the outputs come back in the caller's order. Only a successful call's outputs
 * are stored, for `ttlSeconds`. Wrap the validated adapter (`withCache(withValidation(a), ...)`)
 * so that only outputs that passed the schema are stored. Hits are counted in `cache.stats()`;
 * `usage` is the inner call's, absent when every row was cached.
 */
export function withCache(adapter: ModelAdapter, cache: ResultCache, ttlSeconds: number): ModelAdapter {
  assertTtl(ttlSeconds);
  const id = versionId(adapter.version);
  return {
    version: adapter.version,
    probe: (options) => adapter.probe(options),
    close: () => adapter.close(),
    async predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
      const keys = inputs.map((input) => cacheKey(id, input));
      const found = await Promise.all(keys.map((key) => cache.get(key)));
      const outputs = found.map((v) => (isOutput(v) ? v : undefined));
      // key → the rows that asked for it; Map order is first-seen order.
      const missing = new Map<string, number[]>();
      outputs.forEach((output, row) => {
        const key = keys[row] as string;
        if (output === undefined) missing.set(key, [...(missing.get(key) ?? []), row]);
      });
      if (missing.size === 0) return { outputs: outputs as ModelOutput[] };

      const asked = [...missing.values()].map((rows) => inputs[rows[0] as number] as ModelInput);
      const prediction = await adapter.predict(asked, options);
      if (prediction.outputs.length !== asked.length) {
        throw ApplicationFailure.create({
          type: Failure.Model.InvalidOutput,
          message: `model ${id} returned ${prediction.outputs.length} outputs for ${asked.length} inputs`,
          nonRetryable: true,
        });
      }
      const entries = [...missing].map(([key, rows], i) => ({
        key,
        rows,
        output: prediction.outputs[i] as ModelOutput,
      }));
      for (const { rows, output } of entries) for (const row of rows) outputs[row] = output;
      // Awaited so the next call sees them; each set is bounded by the cache's own command timeout.
      await Promise.all(entries.map(({ key, output }) => cache.set(key, output, ttlSeconds)));
      return { ...prediction, outputs: outputs as ModelOutput[] };
    },
  };
}
