import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Failure } from '../../core/failures';
import { versionId, type ModelVersion } from '../../core/model-version';
import type { AdapterFactory, InvokeOptions, ModelAdapter, ModelInput, Prediction } from '../adapter';
import { badResponseFailure, invalidConfigFailure, timeoutFailure } from '../errors';
import { fileLoadHandler } from '../tfjs-io';

/** `config` of a `tfjs` version. */
export const TfjsConfigSchema = z.object({
  /** Input columns, in the order of the model's input tensor `[n, features.length]`. */
  features: z.array(z.string().min(1)).min(1),
  /** Column of the `[n, k]` output tensor that is the score. @default 0 */
  outputColumn: z.number().int().nonnegative().default(0),
  /** `layers` (tf.loadLayersModel) or `graph` (converter output, tf.loadGraphModel). @default 'layers' */
  format: z.enum(['layers', 'graph']).default('layers'),
});
export type TfjsConfig = z.infer<typeof TfjsConfigSchema>;

type TfModel = tf.LayersModel | tf.GraphModel;

// TF.js has one backend per process, shared by every tfjs adapter: initialise it once. Prod mode
// only silences TF.js warnings, among them the "install tfjs-node" banner (no native builds here).
let backendReady: Promise<void> | undefined;
function cpuBackend(): Promise<void> {
  backendReady ??= (async () => {
    tf.enableProdMode();
    if (!(await tf.setBackend('cpu'))) throw new Error('the TF.js cpu backend did not initialise');
    await tf.ready();
  })();
  return backendReady;
}

/**
 * A TensorFlow.js model directory (`model.json` + weight shards, see models/tfjs-io.ts) scored on
 * the pure-JS cpu backend: one `[n, features]` float32 tensor per batch, `{ score }` per row.
 */
export const tfjsFactory: AdapterFactory = (version, deps) => {
  const parsed = TfjsConfigSchema.safeParse(version.config);
  if (!parsed.success) return Promise.reject(invalidConfigFailure(versionId(version), z.prettifyError(parsed.error)));
  const uri = version.uri.startsWith('file://') ? fileURLToPath(version.uri) : version.uri;
  const dir = isAbsolute(uri) ? uri : resolve(deps.modelsDir, uri);
  return Promise.resolve(new TfjsAdapter(version, parsed.data, dir));
};

class TfjsAdapter implements ModelAdapter {
  private readonly id: string;
  private loading: Promise<TfModel> | undefined;

  constructor(
    readonly version: ModelVersion,
    private readonly config: TfjsConfig,
    private readonly dir: string,
  ) {
    this.id = versionId(version);
  }

  async predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
    const started = Date.now();
    this.checkLive(options, started);
    const model = await this.model();
    this.checkLive(options, started); // loading may have used up the budget; inference is synchronous
    if (inputs.length === 0) return { outputs: [] };
    const scores = this.score(
      model,
      inputs.map((input, i) => this.row(input, i)),
    );
    return { outputs: scores.map((score) => ({ score })) };
  }

  async probe(options: InvokeOptions): Promise<void> {
    await this.predict([Object.fromEntries(this.config.features.map((f) => [f, 0]))], options);
  }

  async close(): Promise<void> {
    const loading = this.loading;
    this.loading = undefined;
    (await loading?.catch(() => undefined))?.dispose();
  }

  /** Loads once; a failed load is forgotten so the next call (a retry) tries again. */
  private model(): Promise<TfModel> {
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async load(): Promise<TfModel> {
    await cpuBackend();
    let model: TfModel;
    try {
      const handler = fileLoadHandler(this.dir);
      model = this.config.format === 'graph' ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    } catch (err) {
      throw loadFailure(this.id, this.dir, err);
    }
    const problem = this.shapeProblem(model);
    if (problem) {
      model.dispose();
      throw invalidConfigFailure(this.id, problem);
    }
    return model;
  }

  /** The registration must agree with the model file: checked once, at load, not per call. */
  private shapeProblem(model: TfModel): string | undefined {
    if (model.inputs.length !== 1) return `expected a model with 1 input tensor, it has ${model.inputs.length}`;
    const shape = model.inputs[0]?.shape;
    const width = shape?.at(-1);
    const expected = this.config.features.length;
    if (shape && (shape.length !== 2 || width !== expected)) {
      return `expected input shape [n, ${expected}] (${expected} features), the model takes [${shape.join(', ')}]`;
    }
    const outWidth = model.outputs[0]?.shape?.at(-1);
    if (typeof outWidth === 'number' && outWidth > 0 && this.config.outputColumn >= outWidth) {
      return `outputColumn ${this.config.outputColumn} is out of range: the model has ${outWidth} output column(s)`;
    }
    return undefined;
  }

  private row(input: ModelInput, index: number): number[] {
    return this.config.features.map((feature) => {
      const value = input[feature];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw ApplicationFailure.create({
        type: Failure.Model.InvalidInput,
        message: `model ${this.id}: input ${index} has no finite number for feature '${feature}'`,
        nonRetryable: true,
      });
    });
  }

  private score(model: TfModel, rows: number[][]): number[] {
    let values: ArrayLike<number>;
    let width: number;
    try {
      // tidy frees the input and every intermediate tensor; only the output survives, freed below.
      const out = tf.tidy(() =>
        firstTensor(model.predict(tf.tensor2d(rows, [rows.length, this.config.features.length]))),
      );
      try {
        [values, width] = [out.dataSync(), out.shape[1] ?? 1];
      } finally {
        out.dispose();
      }
    } catch (err) {
      throw failedFailure(this.id, err);
    }
    return rows.map((_, i) => {
      const score = values[i * width + this.config.outputColumn];
      if (score === undefined || !Number.isFinite(score))
        throw badResponseFailure(this.id, `no finite score for row ${i}`);
      return score;
    });
  }

  private checkLive(options: InvokeOptions, started: number): void {
    if (options.signal?.aborted) {
      throw ApplicationFailure.create({
        type: Failure.Model.Cancelled,
        message: `call to model ${this.id} was cancelled`,
        nonRetryable: true,
      });
    }
    const now = Date.now();
    if (now >= options.deadline) throw timeoutFailure(this.id, Math.max(now - started, 0));
  }
}

function firstTensor(out: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): tf.Tensor {
  const first = out instanceof tf.Tensor ? out : Array.isArray(out) ? out[0] : Object.values(out)[0];
  if (!first) throw new Error('the model produced no output tensor');
  return first;
}

/** An error inside TF.js while scoring: retryable, the process may just be short of memory. */
function failedFailure(model: string, cause: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Model.Failed,
    message: `model ${model} failed in TF.js: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause: cause instanceof Error ? cause : undefined,
  });
}

const TRANSIENT_FS_CODES = new Set(['EMFILE', 'ENFILE', 'EIO', 'EAGAIN', 'EBUSY']);

/** Missing or malformed model files are a bad registration (non-retryable); a busy disk is not. */
function loadFailure(model: string, dir: string, cause: unknown): ApplicationFailure {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const transient = code !== undefined && TRANSIENT_FS_CODES.has(code);
  return ApplicationFailure.create({
    type: transient ? Failure.Model.Failed : Failure.Model.InvalidConfig,
    message: `model ${model}: cannot load the TF.js model in ${dir}: ${cause instanceof Error ? cause.message : String(cause)}`,
    nonRetryable: !transient,
    cause: cause instanceof Error ? cause : undefined,
  });
}
