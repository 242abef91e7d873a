import { AIMessage } from '@langchain/core/messages';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Failure } from '../../core/failures';
import { versionId, type ModelVersion } from '../../core/model-version';
import { SecretRefSchema, type SecretRef } from '../../core/secrets';
import type {
  AdapterDeps,
  AdapterFactory,
  ModelAdapter,
  ModelInput,
  ModelOutput,
  Prediction,
  TokenUsage,
} from '../adapter';
import { callSignal } from '../adapter';
import { invalidConfigFailure } from '../errors';
import { resolveSecret } from '../secrets';
import { checkWire, guardedFetch, invalidOutputFailure, probeModelList, toOpenAIFailure } from './openai-errors';

/** `config` of an `openai-chat` version. */
export const OpenAIChatConfigSchema = z.object({
  /** The served model id, as `GET /models` lists it. */
  model: z.string().min(1),
  /** System message; a template like `prompt`. */
  system: z.string().optional(),
  /** User message: a LangChain f-string template, `{field}` filled from the input row (`{{` for a literal brace). */
  prompt: z.string().min(1),
  /** @default 0 (decisions should be repeatable) */
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: z.number().int().positive().optional(),
  /**
   * The API key by name, `{ "env": "FRAUD_LLM_KEY" }`: that variable must be set on the worker. Without
   * it, `apiKeyEnv` is read, and may be unset (local servers need no key).
   */
  apiKey: SecretRefSchema.optional(),
  /** Environment variable holding the API key; unset is fine for local servers. @default 'OPENAI_API_KEY' */
  apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
  /** Rows sent at once; the rest wait. @default 4 */
  concurrency: z.number().int().positive().max(64).default(4),
});
export type OpenAIChatConfig = z.infer<typeof OpenAIChatConfigSchema>;

/** Sent when the key's variable is unset: the SDK insists on some key, local servers ignore it. */
export const PLACEHOLDER_API_KEY = 'not-needed';

/** The key sent: `apiKey` by name (required), else `apiKeyEnv`'s variable, else a placeholder. */
export function apiKeyOf(
  model: string,
  config: { apiKey?: SecretRef; apiKeyEnv: string },
  deps: Pick<AdapterDeps, 'env'>,
): string {
  const env = deps.env ?? process.env;
  if (config.apiKey) return resolveSecret(model, 'apiKey', config.apiKey, env);
  return env[config.apiKeyEnv] || PLACEHOLDER_API_KEY;
}

/** The chat completion fields LangChain relies on; anything else is a broken server, not a bad answer. */
const ChatCompletionWire = z.object({
  choices: z
    .array(z.object({ message: z.object({ role: z.literal('assistant'), content: z.string().nullable().optional() }) }))
    .min(1),
});

/** An LLM answering with one JSON object per row, shaped by the version's `outputSchema`. */
export const openaiChatFactory: AdapterFactory = (version, deps) => {
  try {
    return Promise.resolve(createChatAdapter(version, deps));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
};

function createChatAdapter(version: ModelVersion, deps: AdapterDeps): ModelAdapter {
  const model = versionId(version);
  const parsedConfig = OpenAIChatConfigSchema.safeParse(version.config);
  if (!parsedConfig.success) throw invalidConfigFailure(model, z.prettifyError(parsedConfig.error));
  const config = parsedConfig.data;
  const apiKey = apiKeyOf(model, config, deps);
  let schema: z.ZodType<Record<string, unknown>>;
  let prompt: ChatPromptTemplate;
  try {
    schema = z.fromJSONSchema(version.outputSchema) as z.ZodType<Record<string, unknown>>;
    const messages: [string, string][] = [['human', config.prompt]];
    if (config.system !== undefined) messages.unshift(['system', config.system]);
    prompt = ChatPromptTemplate.fromMessages(messages);
  } catch (err) {
    throw invalidConfigFailure(model, err instanceof Error ? err.message : String(err));
  }
  const llm = new ChatOpenAI({
    model: config.model,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    apiKey,
    // Temporal owns retries (with backoff, visible in history); LangChain retrying too would multiply attempts.
    maxRetries: 0,
    configuration: {
      baseURL: version.uri,
      fetch: guardedFetch((body) => checkWire(ChatCompletionWire, body, 'not a chat completion'), deps.fetch),
    },
  });
  // 'jsonSchema' sends `response_format: { type: 'json_schema' }`, which vLLM (guided decoding) and
  // Ollama >= 0.5 (grammar-constrained sampling) enforce for ANY model. 'functionCalling' needs a model
  // trained for tools plus a server-side tool parser (vLLM --tool-call-parser), and Ollama ignores
  // `tool_choice`, so the model may answer in prose instead of calling the tool.
  const chain = prompt.pipe(
    llm.withStructuredOutput(schema, { name: 'output', method: 'jsonSchema', includeRaw: true }),
  );

  return {
    version,
    async predict(inputs, options): Promise<Prediction> {
      const started = Date.now();
      const call = callSignal(options, started);
      const outputs: ModelOutput[] = new Array<ModelOutput>(inputs.length);
      const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
      let counted = false;
      let next = 0;
      const one = async (row: ModelInput, i: number): Promise<void> => {
        const missing = prompt.inputVariables.filter((v) => row[v] === undefined);
        if (missing.length > 0) {
          throw ApplicationFailure.create({
            type: Failure.Model.InvalidInput,
            message: `model ${model}: row ${i} lacks ${missing.join(', ')}, which the prompt uses`,
            nonRetryable: true,
          });
        }
        // A signal per row: the SDK never removes the abort listener it adds, and a shared one would pile them up.
        const { raw, parsed } = await chain.invoke(row, { signal: AbortSignal.any([call.signal]) });
        if (AIMessage.isInstance(raw) && raw.usage_metadata) {
          counted = true;
          usage.inputTokens += raw.usage_metadata.input_tokens;
          usage.outputTokens += raw.usage_metadata.output_tokens;
          usage.totalTokens += raw.usage_metadata.total_tokens;
        }
        // LangChain's includeRaw pipeline swallows parser errors into `parsed: null`.
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw invalidOutputFailure(model, `row ${i}: no JSON object matching the output schema`);
        }
        outputs[i] = parsed;
      };
      // A few rows at a time; the first failure stops new rows and aborts the ones in flight.
      const worker = async (): Promise<void> => {
        while (next < inputs.length && !call.signal.aborted) {
          const i = next++;
          await one(inputs[i] as ModelInput, i);
        }
      };
      try {
        await Promise.all(
          Array.from({ length: Math.min(config.concurrency, inputs.length) }, () =>
            worker().catch((err: unknown) => {
              call.abort();
              throw err;
            }),
          ),
        );
      } catch (err) {
        throw toOpenAIFailure(err, { model, started, options });
      } finally {
        call.release();
      }
      return counted ? { outputs, usage } : { outputs };
    },
    probe: (options) =>
      probeModelList({ model, baseUrl: version.uri, modelId: config.model, apiKey, options, fetch: deps.fetch }),
    async close() {
      // Stateless over HTTP: nothing to release.
    },
  };
}
