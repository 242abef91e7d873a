import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; `undefined` for GET. */
  body: unknown;
}

/** What to do instead of (or before) the normal answer, for the requests a fault matches. */
export interface Fault {
  /** Answer this status with an OpenAI-style error body (`{ error: { message, type } }`). */
  status?: number;
  /** Extra response headers, e.g. `{ 'retry-after': '7' }`. */
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer 200 with exactly this body (non-JSON, or JSON of the wrong shape). */
  rawBody?: string;
  /** Chat only: the assistant's message content, verbatim (e.g. JSON that breaks the schema). */
  content?: string;
  /** How many matching requests get the fault. @default Infinity */
  times?: number;
}

/** The structured answer for one chat request; `body` is what the client sent. */
export type ChatReply = (body: ChatRequestBody) => Record<string, unknown>;

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
  tools?: { type: 'function'; function: { name: string } }[];
  tool_choice?: { type: 'function'; function: { name: string } };
  [key: string]: unknown;
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:PORT/v1`, the base URL clients are given. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Model ids `GET /v1/models` lists. */
  models: string[];
  /** The highest number of chat requests in flight at once. */
  maxConcurrentChats: number;
  /** How chat requests are answered. @default echoes the last user message as `{ text }` */
  chatReply: ChatReply;
  /** Adds a fault for requests whose path ends with `pathSuffix` ('/chat/completions', '/embeddings', '/models'). */
  fail(pathSuffix: string, fault: Fault): void;
  /** Forgets requests and faults between tests. */
  reset(): void;
  close(): Promise<void>;
}

/** Usage the fake reports for every chat completion. */
export const CHAT_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } as const;

/** Default vector width when the request names no `dimensions`. */
export const DEFAULT_DIMENSIONS = 8;

/** The vector the fake returns for `text`: derived from its SHA-256, float32-exact, in [-1, 1). */
export function fakeEmbedding(text: string, dimensions = DEFAULT_DIMENSIONS): number[] {
  const vector: number[] = [];
  for (let block = 0; vector.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i < digest.length && vector.length < dimensions; i++) vector.push(((digest[i] ?? 0) - 128) / 128);
  }
  return vector;
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeOpenAI(models: string[] = []): Promise<FakeOpenAI> {
  const sockets = new Set<Socket>();
  let faults: (Fault & { left: number; suffix: string })[] = [];
  const pending = new Set<number>();
  const fake: FakeOpenAI = {
    baseUrl: '',
    requests: [],
    models,
    maxConcurrentChats: 0,
    chatReply: defaultReply,
    fail(suffix, fault) {
      faults.push({ ...fault, suffix, left: fault.times ?? Infinity });
    },
    reset() {
      fake.requests.length = 0;
      fake.maxConcurrentChats = 0;
      fake.chatReply = defaultReply;
      faults = [];
      pending.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = parseBody(text);
      fake.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      const fault = faults.find((f) => f.left > 0 && path.endsWith(f.suffix));
      if (fault) fault.left--;
      const id = fake.requests.length;
      if (path === '/v1/chat/completions') {
        pending.add(id);
        fake.maxConcurrentChats = Math.max(fake.maxConcurrentChats, pending.size);
      }
      const answer = () => {
        pending.delete(id);
        if (res.destroyed) return;
        respond(fake, req.method ?? 'GET', path, body, fault, res);
      };
      if (fault?.delayMs) setTimeout(answer, fault.delayMs);
      else answer();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

/** The JSON body, or the raw text when it is not JSON (then no route matches its expectations). */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function defaultReply(body: ChatRequestBody): Record<string, unknown> {
  const user = body.messages.filter((m) => m.role === 'user').at(-1);
  return { text: user?.content ?? '' };
}

function respond(
  fake: FakeOpenAI,
  method: string,
  path: string,
  body: unknown,
  fault: Fault | undefined,
  res: ServerResponse,
): void {
  const headers = { 'content-type': 'application/json', ...fault?.headers };
  if (fault?.status) {
    const error = { message: `injected HTTP ${fault.status}`, type: 'fake_error', param: null, code: null };
    res.writeHead(fault.status, headers).end(JSON.stringify({ error }));
  } else if (fault?.rawBody !== undefined) {
    res.writeHead(200, headers).end(fault.rawBody);
  } else if (method === 'GET' && path === '/v1/models') {
    const data = fake.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' }));
    res.writeHead(200, headers).end(JSON.stringify({ object: 'list', data }));
  } else if (method === 'POST' && path === '/v1/chat/completions') {
    res.writeHead(200, headers).end(JSON.stringify(chatCompletion(fake, body as ChatRequestBody, fault?.content)));
  } else if (method === 'POST' && path === '/v1/embeddings') {
    res.writeHead(200, headers).end(JSON.stringify(embeddings(body as EmbeddingsRequestBody)));
  } else {
    const error = { message: `no route ${method} ${path}`, type: 'invalid_request_error', param: null, code: null };
    res.writeHead(404, headers).end(JSON.stringify({ error }));
  }
}

/** Answers like the real API: JSON in `content` for `response_format: json_schema`, a tool call for `tools`. */
function chatCompletion(fake: FakeOpenAI, body: ChatRequestBody, content?: string): unknown {
  const json = content ?? JSON.stringify(fake.chatReply(body));
  const tool = body.tool_choice?.function.name ?? body.tools?.[0]?.function.name;
  const message = tool
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_fake', type: 'function', function: { name: tool, arguments: json } }],
      }
    : { role: 'assistant', content: json, refusal: null };
  return {
    id: `chatcmpl-fake-${fake.requests.length}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: body.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: tool ? 'tool_calls' : 'stop' }],
    usage: CHAT_USAGE,
  };
}

interface EmbeddingsRequestBody {
  model: string;
  input: string | string[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

function embeddings(body: EmbeddingsRequestBody): unknown {
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  const data = inputs.map((text, index) => {
    const vector = fakeEmbedding(text, body.dimensions ?? DEFAULT_DIMENSIONS);
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0);
  return { object: 'list', model: body.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
