import { OpenAIEmbeddings } from '@langchain/openai';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Failure } from '../../core/failures';
import { versionId, type ModelVersion } from '../../core/model-version';
import { SecretRefSchema } from '../../core/secrets';
import type { AdapterDeps, AdapterFactory, ModelAdapter, Prediction } from '../adapter';
import { badResponseFailure, invalidConfigFailure } from '../errors';
import { apiKeyOf } from './openai-chat';
import { callSignal } from '../adapter';
import { checkWire, guardedFetch, probeModelList, toOpenAIFailure, WireFormatError } from './openai-errors';

/** `config` of an `openai-embeddings` version. */
export const OpenAIEmbeddingsConfigSchema = z.object({
  /** The served model id, as `GET /models` lists it. */
  model: z.string().min(1),
  /** The input field holding the text to embed. */
  field: z.string().min(1),
  /** Requested (OpenAI `dimensions`) and checked vector width; unset: whatever the model returns. */
  dimensions: z.number().int().positive().optional(),
  /**
   * The API key by name, `{ "env": "FRAUD_LLM_KEY" }`: that variable must be set on the worker. Without
   * it, `apiKeyEnv` is read, and may be unset (local servers need no key).
   */
  apiKey: SecretRefSchema.optional(),
  /** Environment variable holding the API key; unset is fine for local servers. @default 'OPENAI_API_KEY' */
  apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
});
export type OpenAIEmbeddingsConfig = z.infer<typeof OpenAIEmbeddingsConfigSchema>;

const EmbeddingsWire = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().optional() })),
  usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number() }).optional(),
});

/** A text embedder: `{ [field]: string }` in, `{ vector }` out, one request per batch. */
export const openaiEmbeddingsFactory: AdapterFactory = (version, deps) => {
  try {
    return Promise.resolve(createEmbeddingsAdapter(version, deps));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
};

function createEmbeddingsAdapter(version: ModelVersion, deps: AdapterDeps): ModelAdapter {
  const model = versionId(version);
  const parsedConfig = OpenAIEmbeddingsConfigSchema.safeParse(version.config);
  if (!parsedConfig.success) throw invalidConfigFailure(model, z.prettifyError(parsedConfig.error));
  const config = parsedConfig.data;
  const apiKey = apiKeyOf(model, config, deps);

  return {
    version,
    async predict(inputs, options): Promise<Prediction> {
      const texts = inputs.map((row, i) => {
        const text = row[config.field];
        if (typeof text === 'string') return text;
        throw ApplicationFailure.create({
          type: Failure.Model.InvalidInput,
          message: `model ${model}: row ${i} has no text in '${config.field}'`,
          nonRetryable: true,
        });
      });
      const started = Date.now();
      const call = callSignal(options, started);
      const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
      let counted = false;
      // embedDocuments takes no AbortSignal and drops `usage`: the fetch carries the deadline and reads both.
      const check = (body: unknown, request: unknown): void => {
        const { data, usage: used } = checkWire(EmbeddingsWire, body, 'not an embeddings list');
        const sent = (request as { input?: unknown } | undefined)?.input;
        const expected = Array.isArray(sent) ? sent.length : 1;
        if (data.length !== expected) throw new WireFormatError(`${data.length} embeddings for ${expected} inputs`);
        // LangChain reads `data` by position; OpenAI documents `index` as the input's position.
        if (data.some((d, i) => d.index !== undefined && d.index !== i))
          throw new WireFormatError('embeddings out of order');
        if (used) {
          counted = true;
          usage.inputTokens += used.prompt_tokens;
          usage.totalTokens += used.total_tokens;
        }
      };
      const base = deps.fetch ?? fetch;
      const embedder = new OpenAIEmbeddings({
        model: config.model,
        dimensions: config.dimensions,
        apiKey,
        maxRetries: 0, // Temporal retries
        // The wire default; base64 (the SDK's own default) is not understood by every compatible server.
        encodingFormat: 'float',
        // LangChain's legacy default rewrites newlines (an ada-002 workaround); embed the text as given.
        stripNewLines: false,
        configuration: {
          baseURL: version.uri,
          fetch: guardedFetch(check, (url, init) =>
            base(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, call.signal]) : call.signal }),
          ),
        },
      });
      let vectors: number[][];
      try {
        vectors = await embedder.embedDocuments(texts);
      } catch (err) {
        throw toOpenAIFailure(err, { model, started, options });
      } finally {
        call.release();
      }
      const width = config.dimensions ?? vectors[0]?.length ?? 0;
      const bad = vectors.findIndex((v) => v.length !== width || width === 0);
      if (bad >= 0) {
        throw badResponseFailure(model, `vector ${bad} has ${vectors[bad]?.length} dimensions, expected ${width}`);
      }
      const outputs = vectors.map((vector) => ({ vector }));
      return counted ? { outputs, usage } : { outputs };
    },
    probe: (options) =>
      probeModelList({ model, baseUrl: version.uri, modelId: config.model, apiKey, options, fetch: deps.fetch }),
    async close() {
      // Stateless over HTTP: nothing to release.
    },
  };
}
