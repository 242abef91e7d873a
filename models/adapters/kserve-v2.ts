import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Failure } from '../../core/failures';
import { versionId, type ModelVersion } from '../../core/model-version';
import { redactConnectionStrings } from '../../core/redact';
import { TextOrSecretSchema } from '../../core/secrets';
import type { AdapterFactory, AdapterDeps, InvokeOptions, ModelAdapter, ModelInput, Prediction } from '../adapter';
import { badResponseFailure, invalidConfigFailure } from '../errors';
import { requestJson } from '../http';
import { resolveHeaders } from '../secrets';

/** Numeric tensor types of the Open Inference Protocol (BYTES and BOOL cannot carry feature values). */
const NUMERIC_DATATYPES = [
  'FP16',
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
] as const;

/** Where a model lives on an OIP server (MLServer, KServe, Triton) and how its tensors look. */
export const KserveV2ConfigSchema = z.object({
  /** The model's name on the server, which need not be the registered name. */
  model: z.string().min(1),
  /** The server-side version; without it the server picks its default. */
  modelVersion: z.string().min(1).optional(),
  /** @default 'input-0' (MLServer's name for a single unnamed input) */
  inputName: z.string().min(1).default('input-0'),
  /** @default 'FP32' */
  datatype: z.enum(NUMERIC_DATATYPES).default('FP32'),
  /** Input row fields, in the column order the model was trained on. */
  features: z.array(z.string().min(1)).min(1),
  /** The output tensor to request, e.g. `predict_proba` for scikit-learn classifiers on MLServer. */
  outputName: z.string().min(1),
  /** Column of a 2-D `[n, k]` output holding the score. @default 0, and required when k > 1 */
  column: z.number().int().nonnegative().optional(),
  /** Request-level OIP `parameters`, sent as they are. */
  parameters: z.record(z.string(), z.unknown()).optional(),
  /**
   * Headers on every request (a gateway's auth in front of KServe, Triton or MLServer), name → value;
   * a credential by name, `{ "env": "KSERVE_TOKEN" }`, read from the worker's environment. @default {}
   */
  headers: z.record(z.string(), TextOrSecretSchema).default({}),
});
export type KserveV2Config = z.infer<typeof KserveV2ConfigSchema>;

const TensorSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.string(),
  // OIP allows row-major data flat or nested; flattened below.
  data: z.array(z.unknown()),
});
const InferResponseSchema = z.object({ outputs: z.array(TensorSchema) });
const MetadataSchema = z.object({
  name: z.string(),
  inputs: z.array(z.object({ name: z.string() })).default([]),
  outputs: z.array(z.object({ name: z.string() })).default([]),
});

/** A request path's prefix for this model (and version). */
function modelPath(base: string, config: KserveV2Config): string {
  const version = config.modelVersion ? `/versions/${encodeURIComponent(config.modelVersion)}` : '';
  return `${base}/v2/models/${encodeURIComponent(config.model)}${version}`;
}

function flatNumbers(data: readonly unknown[]): number[] | undefined {
  const flat: unknown[] = data.flat(Infinity);
  return flat.every((x): x is number => typeof x === 'number' && Number.isFinite(x)) ? flat : undefined;
}

/** The score of each row out of an `[n]` or `[n, k]` tensor; throws the failure that says what is wrong. */
function scoresFrom(id: string, body: unknown, config: KserveV2Config, rows: number): number[] {
  const parsed = InferResponseSchema.safeParse(body);
  if (!parsed.success) throw badResponseFailure(id, `not an OIP inference response: ${z.prettifyError(parsed.error)}`);
  const tensor = parsed.data.outputs.find((o) => o.name === config.outputName);
  if (!tensor) {
    const got = parsed.data.outputs.map((o) => o.name).join(', ') || 'none';
    throw badResponseFailure(id, `no output '${config.outputName}' (got ${got})`);
  }
  const [n, k = 1, ...rest] = tensor.shape;
  if (n !== rows || rest.length > 0) {
    throw badResponseFailure(
      id,
      `output '${tensor.name}' has shape [${tensor.shape.join(', ')}], expected [${rows}] or [${rows}, k]`,
    );
  }
  const values = flatNumbers(tensor.data);
  if (!values || values.length !== n * k) {
    throw badResponseFailure(id, `output '${tensor.name}' (${tensor.datatype}) does not hold ${n * k} finite numbers`);
  }
  const column = config.column ?? 0;
  if (column >= k || (config.column === undefined && k > 1)) {
    throw invalidConfigFailure(id, `output '${tensor.name}' has ${k} columns; set config.column to one of 0..${k - 1}`);
  }
  return Array.from({ length: n }, (_, i) => values[i * k + column] as number);
}

class KserveV2Adapter implements ModelAdapter {
  private readonly id: string;
  private readonly path: string;

  constructor(
    readonly version: ModelVersion,
    private readonly config: KserveV2Config,
    base: string,
    private readonly fetch: typeof globalThis.fetch | undefined,
    private readonly headers: Record<string, string>,
  ) {
    this.id = versionId(version);
    this.path = modelPath(base, config);
  }

  async predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
    if (inputs.length === 0) return { outputs: [] };
    const { features, inputName, datatype, outputName, parameters } = this.config;
    const data = inputs.flatMap((row, i) => features.map((f) => this.feature(row, f, i)));
    const body = {
      inputs: [{ name: inputName, shape: [inputs.length, features.length], datatype, data }],
      outputs: [{ name: outputName }],
      ...(parameters ? { parameters } : {}),
    };
    const answer = await requestJson({
      model: this.id,
      url: `${this.path}/infer`,
      body,
      headers: this.headers,
      options,
      fetch: this.fetch,
    });
    return { outputs: scoresFrom(this.id, answer, this.config, inputs.length).map((score) => ({ score })) };
  }

  /**
   * Ready, then metadata (when the runtime declares its tensors, the configured names must be among
   * them), then one row of zeros: schemaless runtimes such as MLServer's scikit-learn declare none, and
   * only an inference proves the output name and the feature count.
   */
  async probe(options: InvokeOptions): Promise<void> {
    await this.get(`${this.path}/ready`, options);
    const meta = MetadataSchema.safeParse(await this.get(this.path, options));
    if (!meta.success) throw badResponseFailure(this.id, `model metadata: ${z.prettifyError(meta.error)}`);
    const { inputs, outputs } = meta.data;
    if (inputs.length > 0 && !inputs.some((t) => t.name === this.config.inputName)) {
      throw this.probeFailure(
        `has no input '${this.config.inputName}' (inputs: ${inputs.map((t) => t.name).join(', ')})`,
      );
    }
    if (outputs.length > 0 && !outputs.some((t) => t.name === this.config.outputName)) {
      throw this.probeFailure(
        `has no output '${this.config.outputName}' (outputs: ${outputs.map((t) => t.name).join(', ')})`,
      );
    }
    await this.predict([Object.fromEntries(this.config.features.map((f) => [f, 0]))], options);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private feature(row: ModelInput, name: string, index: number): number {
    const value = row[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    throw ApplicationFailure.create({
      type: Failure.Model.InvalidInput,
      message: `model ${this.id} needs a finite number for '${name}' in input ${index}, got ${JSON.stringify(value) ?? 'nothing'}`,
      nonRetryable: true,
    });
  }

  /** A GET whose 4xx means the server does not have the model as configured: the registration is wrong. */
  private async get(url: string, options: InvokeOptions): Promise<unknown> {
    try {
      const { headers, fetch } = this;
      return await requestJson({ model: this.id, url, body: undefined, method: 'GET', headers, options, fetch });
    } catch (err) {
      if (!(err instanceof ApplicationFailure) || err.type !== Failure.Model.Rejected) throw err;
      const status = (err.details?.[0] as { status?: number } | undefined)?.status;
      throw this.probeFailure(status === 404 ? 'is not on the server' : `is not ready (HTTP ${status})`, err);
    }
  }

  private probeFailure(problem: string, cause?: ApplicationFailure): ApplicationFailure {
    const where = `'${this.config.model}'${this.config.modelVersion ? ` version ${this.config.modelVersion}` : ''}`;
    return ApplicationFailure.create({
      type: Failure.Model.InvalidConfig,
      message: `model ${this.id} failed its probe: server model ${where} at ${this.path} ${problem}`,
      nonRetryable: true,
      cause,
    });
  }
}

/**
 * Models behind an Open Inference Protocol (KServe v2) REST server: MLServer, KServe, Triton. One
 * `[n, features]` tensor per batch, the configured output requested by name, its rows mapped back to
 * `{ score }`. HTTP failures are classified by models/http.ts; this adds the OIP body checks.
 */
export const kserveV2Factory: AdapterFactory = (version: ModelVersion, deps: AdapterDeps) => {
  const id = versionId(version);
  const parsed = KserveV2ConfigSchema.safeParse(version.config);
  if (!parsed.success) return Promise.reject(invalidConfigFailure(id, z.prettifyError(parsed.error)));
  const base = version.uri.replace(/\/+$/, '');
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
    const got = redactConnectionStrings(version.uri);
    return Promise.reject(invalidConfigFailure(id, `uri must be the server's http(s) base URL, got '${got}'`));
  }
  try {
    const headers = resolveHeaders(id, parsed.data.headers, deps.env ?? process.env);
    return Promise.resolve(new KserveV2Adapter(version, parsed.data, base, deps.fetch, headers));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
};
