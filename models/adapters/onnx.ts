import { isAbsolute, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { Failure } from '../../core/failures';
import { versionId, type ModelVersion } from '../../core/model-version';
import type { AdapterFactory, InvokeOptions, ModelAdapter, ModelInput, Prediction } from '../adapter';
import { invalidConfigFailure, timeoutFailure } from '../errors';

/** How a tabular ONNX model reads its rows and where its score is. */
export const OnnxConfigSchema = z.object({
  /** @default 'X' */
  inputName: z.string().default('X'),
  features: z.array(z.string()).min(1),
  output: z.object({
    name: z.string(),
    /** Column of a 2-D output holding the score. @default 0 */
    column: z.number().int().nonnegative().default(0),
    /** Flip the sign (isolation forests: lower decision = more anomalous). @default false */
    negate: z.boolean().default(false),
  }),
});
export type OnnxConfig = z.infer<typeof OnnxConfigSchema>;

/** The one classifier for onnxruntime errors: the runtime's trouble is retryable, with the version named. */
function onnxFailure(version: ModelVersion, err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  return ApplicationFailure.create({
    type: Failure.Model.Failed,
    message: `model ${versionId(version)} failed in onnxruntime: ${err instanceof Error ? err.message : String(err)}`,
    cause: err instanceof Error ? err : undefined,
  });
}

class OnnxAdapter implements ModelAdapter {
  constructor(
    readonly version: ModelVersion,
    private readonly config: OnnxConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  async predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
    if (Date.now() >= options.deadline) throw timeoutFailure(versionId(this.version), 0);
    const width = this.config.features.length;
    const data = new Float32Array(inputs.length * width);
    inputs.forEach((row, i) => this.config.features.forEach((f, j) => (data[i * width + j] = Number(row[f]))));
    try {
      const feeds = { [this.config.inputName]: new ort.Tensor('float32', data, [inputs.length, width]) };
      const out = await this.session.run(feeds, [this.config.output.name]);
      const tensor = out[this.config.output.name];
      if (!tensor) throw new Error(`no output '${this.config.output.name}'`);
      const values = tensor.data as Float32Array;
      const columns = tensor.dims[1] ?? 1;
      const sign = this.config.output.negate ? -1 : 1;
      const outputs = inputs.map((_, i) => ({ score: sign * Number(values[i * columns + this.config.output.column]) }));
      return { outputs };
    } catch (err) {
      throw onnxFailure(this.version, err);
    }
  }

  async probe(options: InvokeOptions): Promise<void> {
    const zero = Object.fromEntries(this.config.features.map((f) => [f, 0]));
    await this.predict([zero], options);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * ONNX models (scikit-learn via skl2onnx, PyTorch exports) on onnxruntime-node: one session per
 * version, batched `[n, features]` float32 tensors. One intra-op thread: the worker runs many small
 * calls side by side, and parallelism inside one tiny model only adds contention.
 */
export const onnxFactory: AdapterFactory = async (version, deps) => {
  const parsed = OnnxConfigSchema.safeParse(version.config);
  if (!parsed.success) throw invalidConfigFailure(versionId(version), z.prettifyError(parsed.error));
  const path = isAbsolute(version.uri) ? version.uri : resolve(deps.modelsDir, version.uri);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (err) {
    throw ApplicationFailure.create({
      type: Failure.Model.InvalidConfig,
      message: `model ${versionId(version)}: cannot load ${path}: ${(err as Error).message}`,
      nonRetryable: true,
      cause: err as Error,
    });
  }
  const input = session.inputNames.includes(parsed.data.inputName);
  const output = session.outputNames.includes(parsed.data.output.name);
  if (!input || !output) {
    await session.release();
    const has = `inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')}`;
    throw invalidConfigFailure(versionId(version), `the file has ${has}`);
  }
  return new OnnxAdapter(version, parsed.data, session);
};
