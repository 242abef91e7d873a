import { ApplicationFailure } from '@temporalio/common';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/error';
import { z } from 'zod';
import { errorChain, Failure } from '../../core/failures';
import type { InvokeOptions } from '../adapter';
import { httpStatusFailure, timeoutFailure, unavailableFailure } from '../errors';
import { requestJson } from '../http';
import { withTraceHeaders } from '../../telemetry/spans';

/**
 * Everything that goes wrong talking to an OpenAI-compatible server (OpenAI, vLLM, Ollama), and
 * the one classifier that turns it into `ApplicationFailure`s (STYLE rule 4).
 */

/** Where a call stood when it failed. */
export interface OpenAICallContext {
  /** `name@version`, always in the message. */
  model: string;
  /** When the call started, epoch ms (for the timeout message). */
  started: number;
  options: InvokeOptions;
}

/** A 2xx response whose body breaks the documented wire format; thrown inside the guarded fetch. */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

/**
 * A `fetch` for the OpenAI SDK that reads 2xx bodies itself and checks them (zod at the boundary,
 * STYLE rule 6) before the SDK sees them: otherwise a non-JSON body surfaces as a bare SyntaxError
 * and a wrong shape as a TypeError deep in the SDK, indistinguishable from the model's own bad JSON.
 * The SDK wraps what this throws in an `APIConnectionError` whose `cause` is the `WireFormatError`.
 */
export function guardedFetch(
  check: (body: unknown, request: unknown) => void,
  base: typeof fetch = fetch,
): typeof fetch {
  return async (input, init) => {
    // traceparent: a server that traces (vLLM, a gateway) joins the decision's trace.
    const sent = new Headers(init?.headers);
    for (const [name, value] of Object.entries(withTraceHeaders())) sent.set(name, value);
    const res = await base(input, { ...init, headers: sent });
    if (!res.ok) return res;
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch (err) {
      // No body text in the message: the SDK treats errors mentioning "timed out" as timeouts.
      throw new WireFormatError('the response body is not JSON', { cause: err });
    }
    check(body, parseRequest(init?.body));
    const headers = new Headers(res.headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(text, { status: res.status, statusText: res.statusText, headers });
  };
}

function parseRequest(body: RequestInit['body'] | undefined): unknown {
  try {
    return typeof body === 'string' ? (JSON.parse(body) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** Parses `body` with `schema` or throws a `WireFormatError` naming the first problems. */
export function checkWire<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new WireFormatError(`${what}: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}

/** The model answered, but not what the schema asks for. */
export function invalidOutputFailure(
  model: string,
  problem: string,
  cause?: Error,
  retryable = true,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: Failure.Model.InvalidOutput,
    message: `model ${model} produced invalid output: ${problem}`,
    nonRetryable: !retryable,
    cause,
  });
}

/** Maps anything LangChain or the OpenAI SDK throws to a typed failure; keeps the original as `cause`. */
export function toOpenAIFailure(err: unknown, { model, started, options }: OpenAICallContext): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const cause = err instanceof Error ? err : new Error(String(err));
  // LangChain sometimes wraps (ContextOverflowError) and sometimes replaces: look through the causes.
  const chain = errorChain(cause).slice(0, 8);
  if (options.signal?.aborted) {
    return ApplicationFailure.create({
      type: Failure.Model.Cancelled,
      message: `call to model ${model} was cancelled`,
      nonRetryable: true,
      cause,
    });
  }
  const wire = chain.find((e) => e instanceof WireFormatError);
  if (wire) {
    // The server, not the model, broke the protocol (wrong URL, a proxy's error page): retrying won't fix it.
    return ApplicationFailure.create({
      type: Failure.Model.BadResponse,
      message: `model ${model} returned a malformed response: ${wire.message}`,
      nonRetryable: true,
      cause,
    });
  }
  const api = chain.find(isStatusError);
  if (api) {
    return httpStatusFailure({ model, status: api.status, body: errorBody(api), retryAfter: retryAfter(api), cause });
  }
  if (chain.some(isTimeout) || Date.now() >= options.deadline) {
    return timeoutFailure(model, Date.now() - started, cause);
  }
  if (chain.some((e) => e instanceof APIConnectionError)) return unavailableFailure(model, cause);
  if (chain.some((e) => e instanceof LengthFinishReasonError)) {
    // Same prompt, same token budget: the answer gets cut off again, so retrying is pointless.
    return invalidOutputFailure(model, 'the answer hit maxTokens before the JSON was complete', cause, false);
  }
  if (chain.some((e) => e instanceof ContentFilterFinishReasonError || e.name === 'ModelRefusalError')) {
    return ApplicationFailure.create({
      type: Failure.Model.Rejected,
      message: `model ${model} refused to answer: ${cause.message}`,
      nonRetryable: true,
      cause,
    });
  }
  const invalid = chain.find((e) => e instanceof z.core.$ZodError || e instanceof SyntaxError);
  if (invalid) {
    // LLM output is stochastic (and the next attempt may land on another replica): worth retrying.
    const problem = invalid instanceof z.core.$ZodError ? z.prettifyError(invalid) : `not JSON (${invalid.message})`;
    return invalidOutputFailure(model, problem, cause);
  }
  return ApplicationFailure.create({
    type: Failure.Model.Failed,
    message: `model ${model} failed: ${cause.message}`,
    cause,
  });
}

type StatusError = Error & { status: number; headers?: unknown; error?: unknown };

function isStatusError(e: Error): e is StatusError {
  return (e instanceof APIError || 'headers' in e) && typeof (e as { status?: unknown }).status === 'number';
}

function isTimeout(e: Error): boolean {
  // LangChain replaces the SDK's APIConnectionTimeoutError / APIUserAbortError with plain Errors named
  // TimeoutError / AbortError (no cause); a deadline signal rejects with a DOMException TimeoutError.
  return (
    e instanceof APIConnectionTimeoutError ||
    e instanceof APIUserAbortError ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError'
  );
}

function header(e: StatusError, name: string): string | null {
  return e.headers instanceof Headers ? e.headers.get(name) : null;
}

function retryAfter(e: StatusError): string | null {
  // OpenAI also sends `retry-after-ms` (the SDK prefers it); fold it into seconds for parseRetryAfter.
  const ms = Number(header(e, 'retry-after-ms') ?? Number.NaN);
  return Number.isFinite(ms) && ms >= 0 ? String(ms / 1000) : header(e, 'retry-after');
}

function errorBody(e: StatusError): string {
  if (e.error === undefined || e.error === null) return e.message.split('\n')[0] ?? '';
  return typeof e.error === 'string' ? e.error : JSON.stringify(e.error);
}

const ModelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

export interface ProbeInput {
  model: string;
  /** The base URL, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** The served model id that must be listed. */
  modelId: string;
  apiKey: string;
  options: InvokeOptions;
  fetch?: typeof fetch;
}

/**
 * `GET {baseUrl}/models` must answer and list `modelId`. Any failure is non-retryable: a probe runs
 * before registration, and a person reads its answer.
 */
export async function probeModelList({ model, baseUrl, modelId, apiKey, options, fetch }: ProbeInput): Promise<void> {
  let listed: string[];
  try {
    const body = await requestJson({
      model,
      url: `${baseUrl.replace(/\/+$/, '')}/models`,
      method: 'GET',
      body: undefined,
      headers: { authorization: `Bearer ${apiKey}` },
      options,
      fetch,
    });
    const parsed = ModelListSchema.safeParse(body);
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: Failure.Model.BadResponse,
        message: `model ${model}: ${baseUrl}/models is not an OpenAI model list: ${z.prettifyError(parsed.error)}`,
        nonRetryable: true,
      });
    }
    listed = parsed.data.data.map((m) => m.id);
  } catch (err) {
    const failure = toOpenAIFailure(err, { model, started: Date.now(), options });
    if (failure.nonRetryable) throw failure;
    throw ApplicationFailure.create({
      type: failure.type ?? Failure.Model.Failed,
      message: `probe failed: ${failure.message}`,
      nonRetryable: true,
      cause: failure,
    });
  }
  if (!listed.includes(modelId)) {
    const known = listed.slice(0, 20).join(', ') || 'none';
    throw ApplicationFailure.create({
      type: Failure.Model.NotFound,
      message: `model ${model}: ${baseUrl} does not serve '${modelId}' (it lists: ${known})`,
      nonRetryable: true,
    });
  }
}
