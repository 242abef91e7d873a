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
  /** Where a config's secrets by name (`{ "env": … }`) resolve. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Looks up another registered version (the feature-vector embedder wraps one). */
  resolveAdapter?: (name: string, version: string) => Promise<ModelAdapter>;
}

/** Builds an adapter for one version; validates the version's `config` for its kind first. */
export type AdapterFactory = (version: ModelVersion, deps: AdapterDeps) => Promise<ModelAdapter>;

/** The abort side of one call; `release()` once it settles. */
export interface CallSignal {
  signal: AbortSignal;
  /** Stops the call early (a sibling row failed). */
  abort(): void;
  release(): void;
}

/**
 * Aborts at the deadline or when `options.signal` does. Not `deadlineSignal`: on Node 20 an
 * `AbortSignal.timeout` inside `AbortSignal.any` is held weakly and, if garbage-collected mid-call,
 * never fires (nodejs/node#57736), so a slow server would hold the call far past its deadline. Here
 * the timer holds the controller.
 */
export function callSignal(options: InvokeOptions, started: number = Date.now()): CallSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('the deadline passed', 'TimeoutError')),
    Math.max(options.deadline - started, 0),
  );
  const cancel = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener('abort', cancel, { once: true });
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    release() {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', cancel);
    },
  };
}
