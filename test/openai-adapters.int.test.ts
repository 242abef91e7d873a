import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelKind, ModelVersion } from '../core/model-version';
import type { AdapterFactory, InvokeOptions, ModelAdapter } from '../models/adapter';
import { openaiChatFactory } from '../models/adapters/openai-chat';
import { openaiEmbeddingsFactory } from '../models/adapters/openai-embeddings';
import {
  CHAT_USAGE,
  fakeEmbedding,
  startFakeOpenAI,
  type ChatRequestBody,
  type FakeOpenAI,
  type Fault,
} from './helpers/fake-openai';
import { failureOf } from './helpers/failures';

// Everything here talks to a local fake that speaks OpenAI's wire format (STYLE rule 10): no key, no network.
const KEY_ENV = 'ARBITER_TEST_OPENAI_KEY';
const UNSET_KEY_ENV = 'ARBITER_TEST_UNSET_OPENAI_KEY';
const KEY = 'sk-test-0123';
const CHAT_MODEL = 'qwen2.5-7b-instruct';
const EMBED_MODEL = 'nomic-embed-text';

const TRIAGE_SCHEMA = {
  type: 'object',
  properties: { queue: { type: 'string', enum: ['billing', 'tech', 'other'] }, urgent: { type: 'boolean' } },
  required: ['queue', 'urgent'],
  additionalProperties: false,
};
const TRIAGE = {
  model: CHAT_MODEL,
  system: 'You route support tickets.',
  prompt: 'Subject: {subject}\nBody: {body}\nPick a queue.',
  apiKeyEnv: KEY_ENV,
};

/** The fake's "LLM": reads the rendered prompt like a model would. */
function triage(body: ChatRequestBody): Record<string, unknown> {
  const text = (body.messages.at(-1)?.content ?? '').toLowerCase();
  const queue = text.includes('refund') ? 'billing' : text.includes('crash') ? 'tech' : 'other';
  return { queue, urgent: text.includes('urgent') };
}

function version(kind: ModelKind, name: string, uri: string, config: object, outputSchema: object): ModelVersion {
  return {
    name,
    version: '3',
    kind,
    uri,
    config: { ...config },
    inputSchema: { type: 'object' },
    outputSchema: { ...outputSchema },
    metrics: {},
    createdAt: '2025-01-01T00:00:00.000Z',
    deprecatedAt: null,
    deprecationReason: null,
  };
}

const within = (ms: number, signal?: AbortSignal): InvokeOptions => ({ deadline: Date.now() + ms, signal });

let fake: FakeOpenAI;
let chat: ModelAdapter;
let echo: ModelAdapter;
let embed: ModelAdapter;

beforeAll(async () => {
  process.env[KEY_ENV] = KEY;
  delete process.env[UNSET_KEY_ENV];
  fake = await startFakeOpenAI([CHAT_MODEL, EMBED_MODEL]);
  const deps = { modelsDir: '.' };
  chat = await openaiChatFactory(version('openai-chat', 'triage', fake.baseUrl, TRIAGE, TRIAGE_SCHEMA), deps);
  echo = await openaiChatFactory(
    version(
      'openai-chat',
      'echo',
      fake.baseUrl,
      { model: CHAT_MODEL, prompt: 'row {n}' },
      { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    ),
    deps,
  );
  embed = await openaiEmbeddingsFactory(
    version(
      'openai-embeddings',
      'tickets-embedder',
      fake.baseUrl,
      { model: EMBED_MODEL, field: 'text', dimensions: 16, apiKeyEnv: UNSET_KEY_ENV },
      { type: 'object', properties: { vector: { type: 'array', items: { type: 'number' } } } },
    ),
    deps,
  );
});

afterAll(async () => {
  delete process.env[KEY_ENV];
  await fake.close();
});

beforeEach(() => fake.reset());

const TICKETS = [
  { subject: 'Refund please', body: 'I was charged twice' },
  { subject: 'App crash', body: 'URGENT: it crashes on start' },
  { subject: 'Hello', body: 'just saying hi' },
];

describe('openai-chat', () => {
  it('answers one structured object per row and sends the documented request', async () => {
    fake.chatReply = triage;
    const prediction = await chat.predict(TICKETS, within(5_000));

    expect(prediction.outputs).toEqual([
      { queue: 'billing', urgent: false },
      { queue: 'tech', urgent: true },
      { queue: 'other', urgent: false },
    ]);
    expect(prediction.usage).toEqual({
      inputTokens: 3 * CHAT_USAGE.prompt_tokens,
      outputTokens: 3 * CHAT_USAGE.completion_tokens,
      totalTokens: 3 * CHAT_USAGE.total_tokens,
    });
    expect(fake.requests).toHaveLength(3);
    for (const ticket of TICKETS) {
      const request = fake.requests.find((r) =>
        (r.body as ChatRequestBody).messages.some((m) => m.content.includes(ticket.subject)),
      );
      expect(request?.method).toBe('POST');
      expect(request?.path).toBe('/v1/chat/completions');
      expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
      const body = request?.body as ChatRequestBody;
      expect(body.model).toBe(CHAT_MODEL);
      expect(body.temperature).toBe(0);
      expect(body.messages).toEqual([
        { role: 'system', content: TRIAGE.system },
        { role: 'user', content: `Subject: ${ticket.subject}\nBody: ${ticket.body}\nPick a queue.` },
      ]);
      expect(body.tools).toBeUndefined();
      expect(body.response_format?.type).toBe('json_schema');
      expect(body.response_format?.json_schema?.schema).toMatchObject({
        type: 'object',
        required: ['queue', 'urgent'],
        properties: { queue: { enum: ['billing', 'tech', 'other'] }, urgent: { type: 'boolean' } },
      });
    }
  });

  it('keeps row order while sending at most 4 rows at once', async () => {
    fake.fail('/chat/completions', { delayMs: 50 });
    const rows = Array.from({ length: 10 }, (_, n) => ({ n }));
    const { outputs } = await echo.predict(rows, within(5_000));
    expect(outputs).toEqual(rows.map(({ n }) => ({ text: `row ${n}` })));
    expect(fake.maxConcurrentChats).toBe(4);
    expect(fake.requests).toHaveLength(10);
  });

  it('refuses a row that lacks a prompt field without calling the model', async () => {
    const failure = await failureOf(chat.predict([{ subject: 'no body' }], within(2_000)));
    expect(failure.type).toBe('Model.InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('triage@3');
    expect(fake.requests).toHaveLength(0);
  });

  it('reports cancellation by the caller as non-retryable Model.Cancelled', async () => {
    fake.fail('/chat/completions', { delayMs: 5_000 });
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    const failure = await failureOf(chat.predict(TICKETS.slice(0, 1), within(10_000, cancel.signal)));
    expect(failure.type).toBe('Model.Cancelled');
    expect(failure.nonRetryable).toBe(true);
  });
});

// Node 20's AbortSignal.any drops a source AbortSignal.timeout on GC, so a deadline built that way
// may never fire (nodejs/node#57736); collect garbage mid-call to prove these adapters don't rely on it.
describe.each([
  ['openai-chat', '/chat/completions', () => chat, TICKETS[0] ?? {}],
  ['openai-embeddings', '/embeddings', () => embed, { text: 'hello' }],
])('%s deadline', (_, path, adapter, row) => {
  it('fires even when garbage is collected mid-call, with a caller signal too', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    fake.fail(path, { delayMs: 5_000 });
    const started = Date.now();
    const collect = setInterval(gc, 100);
    const failure = await failureOf(adapter().predict([row], within(600, new AbortController().signal))).finally(() =>
      clearInterval(collect),
    );
    expect(failure.type).toBe('Model.Timeout');
    expect(Date.now() - started).toBeLessThan(1_600);
  });
});

describe('openai-embeddings', () => {
  it('embeds a batch in one request and returns { vector } rows of the configured width', async () => {
    const texts = ['reset my password', 'invoice\nis wrong', 'app crashes'];
    const prediction = await embed.predict(
      texts.map((text) => ({ text })),
      within(5_000),
    );

    expect(prediction.outputs).toEqual(texts.map((t) => ({ vector: fakeEmbedding(t, 16) })));
    expect(prediction.usage).toEqual({ inputTokens: 8, outputTokens: 0, totalTokens: 8 });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/embeddings');
    // No key in the environment: a placeholder, which local servers ignore.
    expect(request?.headers.authorization).toBe('Bearer not-needed');
    expect(request?.body).toEqual({ model: EMBED_MODEL, input: texts, dimensions: 16, encoding_format: 'float' });
  });

  it('refuses a row without text in the configured field', async () => {
    const failure = await failureOf(embed.predict([{ text: 42 }], within(2_000)));
    expect(failure.type).toBe('Model.InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('probe', () => {
  it.each([
    ['openai-chat', () => chat],
    ['openai-embeddings', () => embed],
  ])('%s: passes when GET /v1/models lists the model', async (_, adapter) => {
    await adapter().probe(within(2_000));
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
  });

  it('fails, non-retryably, when the model is not served', async () => {
    const other = await openaiChatFactory(
      version('openai-chat', 'other', fake.baseUrl, { ...TRIAGE, model: 'llama3' }, TRIAGE_SCHEMA),
      { modelsDir: '.' },
    );
    const failure = await failureOf(other.probe(within(2_000)));
    expect(failure.type).toBe('Model.NotFound');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('other@3');
    expect(failure.message).toContain(CHAT_MODEL);
  });

  it.each<[string, Fault, string]>([
    ['a 503', { status: 503 }, 'Model.Unavailable'],
    ['a non-list body', { rawBody: '{"models":["llama3"]}' }, 'Model.BadResponse'],
  ])('fails, non-retryably, on %s', async (_, fault, type) => {
    fake.fail('/models', fault);
    const failure = await failureOf(chat.probe(within(2_000)));
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('triage@3');
  });

  it('fails, non-retryably, when nothing listens (where a call would be retried)', async () => {
    const gone = await startFakeOpenAI([CHAT_MODEL]);
    await gone.close();
    const adapter = await openaiChatFactory(version('openai-chat', 'gone', gone.baseUrl, TRIAGE, TRIAGE_SCHEMA), {
      modelsDir: '.',
    });
    const probed = await failureOf(adapter.probe(within(2_000)));
    expect({ type: probed.type, nonRetryable: probed.nonRetryable }).toEqual({
      type: 'Model.Unavailable',
      nonRetryable: true,
    });
    const called = await failureOf(adapter.predict(TICKETS.slice(0, 1), within(2_000)));
    expect({ type: called.type, nonRetryable: called.nonRetryable }).toEqual({
      type: 'Model.Unavailable',
      nonRetryable: false,
    });
    expect(called.message).toContain('gone@3');
  });
});

describe('invalid config', () => {
  it.each<[string, AdapterFactory, ModelKind, object]>([
    ['chat without a prompt', openaiChatFactory, 'openai-chat', { model: CHAT_MODEL }],
    ['chat with an unclosed {', openaiChatFactory, 'openai-chat', { model: CHAT_MODEL, prompt: 'Subject: {subject' }],
    ['embeddings without a field', openaiEmbeddingsFactory, 'openai-embeddings', { model: EMBED_MODEL }],
  ])('%s → Model.InvalidConfig', async (_, factory, kind, config) => {
    const failure = await failureOf(
      factory(version(kind, 'broken', fake.baseUrl, config, TRIAGE_SCHEMA), { modelsDir: '.' }),
    );
    expect(failure.type).toBe('Model.InvalidConfig');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('broken@3');
  });
});

interface Expected {
  type: string;
  nonRetryable: boolean;
  nextRetryDelay?: number;
  /** Failures the adapter finds itself (not thrown at it) have no cause to keep. */
  ownFinding?: true;
}

function rateLimited(nextRetryDelay: number): Expected {
  return { type: 'Model.RateLimited', nonRetryable: false, nextRetryDelay };
}
const badResponse: Expected = { type: 'Model.BadResponse', nonRetryable: true };
// LLM output is stochastic: a schema miss may well pass on the next attempt.
const invalidOutput: Expected = { type: 'Model.InvalidOutput', nonRetryable: false };

const DEADLINE_MS = 400;
const WRONG_WIDTH = JSON.stringify({ data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }] });

// One row per call, so "exactly one request" proves LangChain and the SDK did not retry on their own.
describe.each<['chat' | 'embeddings', [string, Fault, Expected][]]>([
  [
    'chat',
    [
      ['429 + retry-after', { status: 429, headers: { 'retry-after': '7' } }, rateLimited(7_000)],
      ['429 + retry-after-ms', { status: 429, headers: { 'retry-after-ms': '1500' } }, rateLimited(1_500)],
      ['500', { status: 500 }, { type: 'Model.Unavailable', nonRetryable: false }],
      ['408', { status: 408 }, { type: 'Model.Unavailable', nonRetryable: false }],
      ['400', { status: 400 }, { type: 'Model.Rejected', nonRetryable: true }],
      ['401', { status: 401 }, { type: 'Model.Rejected', nonRetryable: true }],
      ['slow past the deadline', { delayMs: 5_000 }, { type: 'Model.Timeout', nonRetryable: false }],
      ['a non-JSON body', { rawBody: '<html>Bad Gateway</html>' }, badResponse],
      ['JSON that is no chat completion', { rawBody: '{"object":"list"}' }, badResponse],
      ['content that is not JSON', { content: 'Sure! The queue is billing.' }, invalidOutput],
      ['content that breaks the schema', { content: '{"queue":"sales","urgent":"yes"}' }, invalidOutput],
    ],
  ],
  [
    'embeddings',
    [
      ['429 + retry-after', { status: 429, headers: { 'retry-after': '7' } }, rateLimited(7_000)],
      ['500', { status: 500 }, { type: 'Model.Unavailable', nonRetryable: false }],
      ['400', { status: 400 }, { type: 'Model.Rejected', nonRetryable: true }],
      ['slow past the deadline', { delayMs: 5_000 }, { type: 'Model.Timeout', nonRetryable: false }],
      ['a non-JSON body', { rawBody: 'upstream connect error' }, badResponse],
      ['fewer vectors than texts', { rawBody: '{"object":"list","data":[]}' }, badResponse],
      ['vectors of the wrong width', { rawBody: WRONG_WIDTH }, { ...badResponse, ownFinding: true }],
    ],
  ],
])('%s faults', (which, cases) => {
  it.each(cases)('%s', async (_, fault, expected) => {
    const [adapter, path, row, id] =
      which === 'chat'
        ? [chat, '/v1/chat/completions', TICKETS[0] ?? {}, 'triage@3']
        : [embed, '/v1/embeddings', { text: 'hello' }, 'tickets-embedder@3'];
    fake.fail(path.replace('/v1', ''), fault);
    const started = Date.now();
    const failure = await failureOf(adapter.predict([row], within(DEADLINE_MS)));

    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1_000);
    expect({ type: failure.type, nonRetryable: failure.nonRetryable }).toEqual({
      type: expected.type,
      nonRetryable: expected.nonRetryable,
    });
    if (expected.nextRetryDelay !== undefined) expect(failure.nextRetryDelay).toBe(expected.nextRetryDelay);
    expect(failure.message).toContain(id);
    if (!expected.ownFinding) expect(failure.cause).toBeInstanceOf(Error);
    expect(fake.requests.filter((r) => r.path === path)).toHaveLength(1);
  });
});
