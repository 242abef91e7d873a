import { ApplicationFailure } from '@temporalio/common';
import jsonata from 'jsonata';
import { z } from 'zod';
import { versionId, type ModelVersion } from '../../core/model-version';
import { TextOrSecretSchema } from '../../core/secrets';
import type {
  AdapterDeps,
  AdapterFactory,
  InvokeOptions,
  ModelAdapter,
  ModelInput,
  ModelOutput,
  Prediction,
} from '../adapter';
import { badResponseFailure, invalidConfigFailure } from '../errors';
import { requestJson } from '../http';
import { resolveHeaders } from '../secrets';

/**
 * A plain JSON-over-HTTP model. Request and response mapping are JSONata expressions, so any
 * service's body shape can be adapted without code. With `batch`, the request expression sees
 * `inputs` (all rows) and the response expression must yield one output per row; without it, one
 * request per row, and the expressions see `input`.
 */
export const HttpJsonConfigSchema = z.object({
  /** Appended to the version's URI. @default '' */
  path: z.string().default(''),
  /**
   * Extra headers, name → value. A credential is given by name, `{ "env": "FRAUD_API_TOKEN" }`, and read
   * from the worker's environment; registration refuses literal ones. @default {}
   */
  headers: z.record(z.string(), TextOrSecretSchema).default({}),
  /** JSONata producing the request body. @default 'input' (batch: 'inputs') */
  request: z.string().optional(),
  /** JSONata producing the output(s) from `body` (the parsed response). @default 'body' */
  response: z.string().default('body'),
  /** @default false */
  batch: z.boolean().default(false),
  /** Rows in flight at once when not batching. @default 4 */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** A row sent through `predict` by `probe`; without it, probe GETs `healthPath`. */
  probeInput: z.record(z.string(), z.unknown()).optional(),
  /** @default '' */
  healthPath: z.string().default(''),
});
export type HttpJsonConfig = z.infer<typeof HttpJsonConfigSchema>;

type Expression = ReturnType<typeof jsonata>;

function compile(version: ModelVersion, text: string, which: string): Expression {
  try {
    return jsonata(text);
  } catch (err) {
    throw invalidConfigFailure(versionId(version), `${which} expression does not parse: ${(err as Error).message}`);
  }
}

async function evaluate(version: ModelVersion, expr: Expression, data: unknown, which: string): Promise<unknown> {
  try {
    return (await expr.evaluate(data)) as unknown;
  } catch (err) {
    throw badResponseFailure(versionId(version), `${which} mapping failed: ${(err as Error).message}`);
  }
}

class HttpJsonAdapter implements ModelAdapter {
  private readonly request: Expression;
  private readonly response: Expression;
  private readonly headers: Record<string, string>;

  constructor(
    readonly version: ModelVersion,
    private readonly config: HttpJsonConfig,
    private readonly deps: AdapterDeps,
  ) {
    this.request = compile(version, config.request ?? (config.batch ? 'inputs' : 'input'), 'request');
    this.response = compile(version, config.response, 'response');
    this.headers = resolveHeaders(versionId(version), config.headers, deps.env ?? process.env);
  }

  private call(body: unknown, options: InvokeOptions): Promise<unknown> {
    const url = `${this.version.uri.replace(/\/$/, '')}${this.config.path}`;
    return requestJson({
      model: versionId(this.version),
      url,
      body,
      headers: this.headers,
      options,
      fetch: this.deps.fetch,
    });
  }

  private asOutput(value: unknown): ModelOutput {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as ModelOutput;
    throw badResponseFailure(
      versionId(this.version),
      `response mapping gave ${JSON.stringify(value)?.slice(0, 80)}, not an object`,
    );
  }

  async predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
    if (this.config.batch) {
      const body = await this.call(await evaluate(this.version, this.request, { inputs }, 'request'), options);
      const mapped = await evaluate(this.version, this.response, { body, inputs }, 'response');
      const rows = Array.isArray(mapped) ? mapped : [mapped];
      if (rows.length !== inputs.length) {
        throw badResponseFailure(versionId(this.version), `${rows.length} outputs for ${inputs.length} inputs`);
      }
      return { outputs: rows.map((r) => this.asOutput(r)) };
    }
    const outputs: ModelOutput[] = new Array<ModelOutput>(inputs.length);
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < inputs.length; i = next++) {
        const input = inputs[i];
        const body = await this.call(await evaluate(this.version, this.request, { input }, 'request'), options);
        outputs[i] = this.asOutput(await evaluate(this.version, this.response, { body, input }, 'response'));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, inputs.length) }, lane));
    return { outputs };
  }

  async probe(options: InvokeOptions): Promise<void> {
    if (this.config.probeInput) {
      await this.predict([this.config.probeInput], options);
      return;
    }
    const url = `${this.version.uri.replace(/\/$/, '')}${this.config.healthPath}`;
    await requestJson({
      model: versionId(this.version),
      url,
      body: undefined,
      method: 'GET',
      headers: this.headers,
      options,
      fetch: this.deps.fetch,
    });
  }

  async close(): Promise<void> {}
}

export const httpJsonFactory: AdapterFactory = (version, deps) => {
  const parsed = HttpJsonConfigSchema.safeParse(version.config);
  if (!parsed.success) return Promise.reject(invalidConfigFailure(versionId(version), z.prettifyError(parsed.error)));
  try {
    return Promise.resolve(new HttpJsonAdapter(version, parsed.data, deps));
  } catch (err) {
    return Promise.reject(
      err instanceof ApplicationFailure ? err : invalidConfigFailure(versionId(version), String(err)),
    );
  }
};
