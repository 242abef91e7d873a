import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Failure } from '../../core/failures';
import { versionId, type ModelVersion } from '../../core/model-version';
import type { AdapterFactory, InvokeOptions, ModelAdapter, ModelInput, Prediction } from '../adapter';
import { invalidConfigFailure, timeoutFailure } from '../errors';

/**
 * A built-in linear model, no file: score = link(bias + Σ weights[f]·row[f]). What `pipelines fit
 * --method logistic` registers as a stacking meta-model (link `logistic`: a logistic regression
 * over the members' scores); `identity` serves a plain linear score. URI: `builtin:linear`.
 */
export const LinearConfigSchema = z.strictObject({
  weights: z.record(z.string(), z.number()).refine((w) => Object.keys(w).length > 0, 'at least one weight'),
  /** @default 0 */
  bias: z.number().default(0),
  /** @default 'logistic' */
  link: z.enum(['identity', 'logistic']).default('logistic'),
  /** Used for a feature the row lacks (a member that did not answer); else the row is refused. @default {} */
  missing: z.record(z.string(), z.number()).default({}),
});
export type LinearConfig = z.infer<typeof LinearConfigSchema>;

/** One row's score, or the features it lacks. Exported for tests and for the fit's own check. */
export function linearScore(config: LinearConfig, row: ModelInput): number | { lacking: string[] } {
  let z = config.bias;
  const lacking: string[] = [];
  for (const [feature, weight] of Object.entries(config.weights)) {
    const raw = row[feature];
    const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : config.missing[feature];
    if (value === undefined) lacking.push(feature);
    else z += weight * value;
  }
  if (lacking.length > 0) return { lacking };
  return config.link === 'logistic' ? 1 / (1 + Math.exp(-z)) : z;
}

class LinearModel implements ModelAdapter {
  constructor(
    readonly version: ModelVersion,
    private readonly config: LinearConfig,
  ) {}

  predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
    if (Date.now() >= options.deadline) return Promise.reject(timeoutFailure(versionId(this.version), 0));
    const outputs: { score: number }[] = [];
    const issues: { path: string; message: string }[] = [];
    inputs.forEach((row, i) => {
      const score = linearScore(this.config, row);
      if (typeof score === 'number') outputs.push({ score });
      // The input schema lets members be absent; without a `missing` value the score is undefined.
      else for (const f of score.lacking) issues.push({ path: `inputs.${i}.${f}`, message: 'required: no missing value is configured' });
    });
    if (issues.length > 0) {
      const message = `${versionId(this.version)}: ${issues.map((x) => `${x.path}: ${x.message}`).join('; ')}`;
      return Promise.reject(
        ApplicationFailure.create({ type: Failure.Model.InvalidInput, message, nonRetryable: true, details: [issues] }),
      );
    }
    return Promise.resolve({ outputs });
  }

  probe(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const linearFactory: AdapterFactory = (version) => {
  const parsed = LinearConfigSchema.safeParse(version.config);
  if (!parsed.success) return Promise.reject(invalidConfigFailure(versionId(version), z.prettifyError(parsed.error)));
  return Promise.resolve(new LinearModel(version, parsed.data));
};
