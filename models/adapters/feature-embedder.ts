import { z } from 'zod';
import { versionId, type ModelVersion } from '../../core/model-version';
import type { AdapterFactory, InvokeOptions, ModelAdapter, ModelInput, Prediction } from '../adapter';
import { invalidConfigFailure, timeoutFailure } from '../errors';

/**
 * Turns a numeric case into a vector for similarity search: the listed features in order, each
 * scaled into [0, 1] by its declared range, then L2-normalised so cosine and inner product agree.
 */
export const FeatureEmbedderConfigSchema = z.object({
  features: z.array(z.string()).min(1),
  /** Per-feature [min, max]; features without one are used as they are. @default {} */
  ranges: z.record(z.string(), z.tuple([z.number(), z.number()])).default({}),
  /** @default 'l2' */
  normalize: z.enum(['l2', 'none']).default('l2'),
});
export type FeatureEmbedderConfig = z.infer<typeof FeatureEmbedderConfigSchema>;

/** Embeds one row; exported for tests and for code that needs the same vectors without a worker. */
export function embedRow(config: FeatureEmbedderConfig, row: ModelInput): number[] {
  const raw = config.features.map((f) => {
    const value = Number(row[f]);
    const range = config.ranges[f];
    return range && range[1] > range[0] ? (value - range[0]) / (range[1] - range[0]) : value;
  });
  if (config.normalize === 'none') return raw;
  const norm = Math.hypot(...raw);
  return norm === 0 ? raw : raw.map((v) => v / norm);
}

class FeatureEmbedder implements ModelAdapter {
  constructor(
    readonly version: ModelVersion,
    private readonly config: FeatureEmbedderConfig,
  ) {}

  predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
    if (Date.now() >= options.deadline) return Promise.reject(timeoutFailure(versionId(this.version), 0));
    return Promise.resolve({ outputs: inputs.map((row) => ({ vector: embedRow(this.config, row) })) });
  }

  probe(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const featureEmbedderFactory: AdapterFactory = (version) => {
  const parsed = FeatureEmbedderConfigSchema.safeParse(version.config);
  if (!parsed.success) return Promise.reject(invalidConfigFailure(versionId(version), z.prettifyError(parsed.error)));
  return Promise.resolve(new FeatureEmbedder(version, parsed.data));
};
