import * as ort from 'onnxruntime-node';
import type { ModelCard } from './card';

/**
 * A binary classifier exported to ONNX (skl2onnx, `zipmap: false`): float32 rows in, the
 * positive-class probability out. One inference session per model version, reused across calls;
 * onnxruntime sessions are safe to run concurrently.
 */
export class OnnxClassifier {
  private constructor(
    readonly card: ModelCard,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Loads the model file once; `intraOpNumThreads: 1` because the worker runs many small calls in parallel. */
  static async load(card: ModelCard, modelPath: string): Promise<OnnxClassifier> {
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
    });
    return new OnnxClassifier(card, session);
  }

  /** Scores a batch of rows (already validated and ordered as `card.input.features`). */
  async predict(rows: number[][]): Promise<number[]> {
    const width = this.card.input.features.length;
    const data = Float32Array.from(rows.flat());
    const feeds = { [this.card.input.name]: new ort.Tensor('float32', data, [rows.length, width]) };
    const out = await this.session.run(feeds, [this.card.output.name]);
    const probs = out[this.card.output.name];
    if (!probs) throw new Error(`model ${this.card.name}@${this.card.version} returned no '${this.card.output.name}'`);
    const values = probs.data as Float32Array;
    const classes = probs.dims[1] ?? 1;
    return rows.map((_, i) => values[i * classes + this.card.output.positive_class_index] ?? Number.NaN);
  }

  /** Frees the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
