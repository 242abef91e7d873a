import type { ModelVersion } from '../core/model-version';

/** When and how a call must stop. */
export interface InvokeOptions {
  /** Absolute deadline, epoch milliseconds: the adapter gives up (Model.Timeout) by then. */
  deadline: number;
  /** Cancels the call early (activity cancellation, a pipeline's budget running out). */
  signal?: AbortSignal;
}

/** One input row: a JSON object validated against the version's input schema before it reaches an adapter. */
export type ModelInput = Record<string, unknown>;

/**
 * One output row: a JSON object validated against the version's output schema after the adapter.
 * Scorers return `{ score }` (and may add more), embedders `{ vector }`, LLMs their structured object.
 */
export type ModelOutput = Record<string, unknown>;

/** Tokens an LLM or embedding call consumed, summed over the batch. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** What one batch call returns: `outputs[i]` answers `inputs[i]`. */
export interface Prediction {
  outputs: ModelOutput[];
  usage?: TokenUsage;
}

/**
 * A callable model version. Batch-capable: `inputs[i]` yields `outputs[i]`. Adapters throw
 * `ApplicationFailure`s from their own error classifier (STYLE rule 4), never plain errors.
 */
export interface ModelAdapter {
  readonly version: ModelVersion;
  predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction>;
  /** Proves the model answers (file loads, endpoint ready); run before a version is registered. */
  probe(options: InvokeOptions): Promise<void>;
  close(): Promise<void>;
}

/** What adapters may need from the process; injected so tests hand in their own. */
export interface AdapterDeps {
  /** Directory that relative file URIs (onnx, tfjs) resolve against. */
  modelsDir: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Looks up another registered version (the feature-vector embedder wraps one). */
  resolveAdapter?: (name: string, version: string) => Promise<ModelAdapter>;
}

/** Builds an adapter for one version; validates the version's `config` for its kind first. */
export type AdapterFactory = (version: ModelVersion, deps: AdapterDeps) => Promise<ModelAdapter>;

/** An AbortSignal that fires at the deadline or when `signal` does, whichever comes first. */
export function deadlineSignal(options: InvokeOptions, now: number = Date.now()): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(options.deadline - now, 0));
  return options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
}
