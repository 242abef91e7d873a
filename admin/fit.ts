import type { Pool } from 'pg';
import { crossValidatedLogistic, type CvScore } from '../core/lab/logistic';
import { findStep, stepScore, withCombine } from '../core/lab/fit-spec';
import { holdOut } from '../core/lab/random';
import { fitSimplexWeights } from '../core/lab/weights';
import type { CombineStep, PipelineSpec } from '../core/pipeline/spec';
import { BacktestStore } from '../stores/backtest-store';
import { PipelineStore } from '../stores/pipeline-store';
import { ModelsAdmin } from './models';
import { PipelineInvalidError, PipelinesAdmin } from './pipelines';

/** What to fit. */
export interface FitOptions {
  pipeline: string;
  /** A combine step of the pipeline's latest live version. */
  step: string;
  /** `logistic`: a stacking meta-model (built-in `linear` kind); `weights`: weighted-mean weights. @default 'logistic' */
  method?: 'logistic' | 'weights';
  /** Share of the labelled decisions held out for the backtest, never fitted on. @default 0.3 */
  holdout?: number;
  /** Seeds the hold-out split and the cross-validation folds. @default 1 */
  seed?: number;
  actor?: string;
}

/** What a fit wrote: a candidate version (not live), the model it registered, and the held-out decisions to backtest on. */
export interface FitResult {
  candidate: { name: string; version: string };
  method: 'logistic' | 'weights';
  step: string;
  inputs: string[];
  /** The registered meta-model (`logistic`). */
  model: { name: string; version: string } | null;
  /** Fitted weights by input (and the bias and penalty of `logistic`). */
  weights: Record<string, number>;
  bias: number | null;
  lambda: number | null;
  crossValidation: CvScore[];
  /** Labelled decisions used: fitted on, held out, and skipped (an input had no score). */
  train: number;
  heldOut: string[];
  skipped: number;
  seed: number;
  holdoutShare: number;
}

/** Too few labels, no combine step by that name, or an input the fit cannot read. */
export class FitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FitError';
  }
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

function combineStep(spec: PipelineSpec, id: string): CombineStep {
  const step = findStep(spec, id);
  if (!step) throw new FitError(`pipeline ${spec.name} has no step '${id}'`);
  if (step.type !== 'combine') throw new FitError(`step '${id}' is a ${step.type} step; fit learns combine steps`);
  for (const input of step.inputs) {
    const kind = findStep(spec, input)?.type;
    if (kind !== 'model' && kind !== 'fallback')
      throw new FitError(
        `input '${input}' of '${id}' is a ${kind ?? 'missing'} step; fit reads model and fallback inputs`,
      );
  }
  return step;
}

/**
 * Learns a combine step from labelled decisions: each decision's input scores for the step (from
 * its recorded model calls) against its label. A seeded share is held out first; the rest fit a
 * cross-validated L2 logistic regression (registered as a `linear` model, the step becomes
 * `stacking`) or simplex weights (the step becomes `weighted-mean`). Writes a candidate version:
 * decisions keep pinning the live one until `pipelines promote`.
 */
export async function fitCombine(pool: Pool, modelsDir: string, options: FitOptions): Promise<FitResult> {
  const method = options.method ?? 'logistic';
  const seed = options.seed ?? 1;
  const share = options.holdout ?? 0.3;
  const live = await new PipelineStore(pool).get(options.pipeline);
  const step = combineStep(live.spec, options.step);
  const labelled = await new BacktestStore(pool).labelledStepCalls(options.pipeline);
  const rows: { decisionId: string; x: number[]; y: number }[] = [];
  for (const d of labelled) {
    const x = step.inputs.map((id) => stepScore(live.spec, id, d.calls));
    if (x.every((v): v is number => v !== undefined))
      rows.push({ decisionId: d.decisionId, x, y: d.label === 'fraud' ? 1 : 0 });
  }
  const split = holdOut(rows.length, share, seed);
  const train = split.train.map((i) => rows[i] as (typeof rows)[number]);
  const positives = train.filter((r) => r.y === 1).length;
  if (train.length < 10 || positives === 0 || positives === train.length)
    throw new FitError(
      `pipeline ${options.pipeline} has ${rows.length} labelled decisions with every input of '${options.step}' scored ` +
        `(${train.length} to fit on, ${positives} fraud): need at least 10 to fit on, with both labels`,
    );
  const x = train.map((r) => r.x);
  const y = train.map((r) => r.y);
  const base = {
    ...{ method, step: options.step, inputs: step.inputs, train: train.length, skipped: labelled.length - rows.length },
    ...{ heldOut: split.test.map((i) => rows[i]?.decisionId ?? ''), seed, holdoutShare: share },
  };
  let spec: PipelineSpec;
  let result: Omit<FitResult, 'candidate' | keyof typeof base>;
  if (method === 'weights') {
    const { weights } = fitSimplexWeights(x, y);
    const named = Object.fromEntries(step.inputs.map((id, j) => [id, round(weights[j] ?? 0)]));
    spec = withCombine(live.spec, step.id, (s) => ({
      ...s,
      method: 'weighted-mean',
      weights: named,
      model: undefined,
    }));
    result = { model: null, weights: named, bias: null, lambda: null, crossValidation: [] };
  } else {
    const { fit, scores } = crossValidatedLogistic(x, y, undefined, 5, seed);
    const weights = Object.fromEntries(step.inputs.map((id, j) => [id, fit.weights[j] ?? 0]));
    // A member that did not answer is read at its training mean, so the meta-model still scores.
    const missing = Object.fromEntries(
      step.inputs.map((id, j) => [id, x.reduce((s, r) => s + (r[j] ?? 0), 0) / x.length]),
    );
    const models = ModelsAdmin.fromPool(pool, modelsDir);
    const { version } = await models
      .register(
        {
          name: `${options.pipeline}-${options.step}-stack`
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, '-')
            .slice(0, 63),
          kind: 'linear',
          uri: 'builtin:linear',
          config: { weights, bias: fit.bias, link: 'logistic', missing },
          inputSchema: {
            type: 'object',
            properties: Object.fromEntries(step.inputs.map((id) => [id, { type: 'number' }])),
          },
          outputSchema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] },
          framework: 'arbiter pipelines fit (L2 logistic regression, IRLS, ml-matrix)',
          trainingData: `${train.length} labelled decisions of pipeline ${options.pipeline} (seed ${seed}, ${share} held out)`,
          metrics: { lambda: fit.lambda, cvLogLoss: scores.find((s) => s.lambda === fit.lambda)?.logLoss ?? NaN },
          description: `stacking meta-model for ${options.pipeline} step ${options.step}`,
        },
        { actor: options.actor },
      )
      .finally(() => models.close());
    const ref = `${version.name}@${version.version}`;
    spec = withCombine(live.spec, step.id, (s) => ({ ...s, method: 'stacking', model: ref, weights: undefined }));
    result = {
      ...{ model: { name: version.name, version: version.version }, weights, bias: fit.bias },
      ...{ lambda: fit.lambda, crossValidation: scores },
    };
  }
  const candidate = await PipelinesAdmin.fromPool(pool).applyCandidate(JSON.parse(JSON.stringify(spec)), options.actor);
  return { candidate: { name: candidate.name, version: candidate.version }, ...base, ...result };
}

export { PipelineInvalidError };
