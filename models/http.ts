import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import { withTraceHeaders } from '../telemetry/spans';
import { callSignal, type InvokeOptions } from './adapter';
import { badResponseFailure, httpStatusFailure, timeoutFailure, unavailableFailure } from './errors';

export interface PostJsonInput {
  model: string;
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  options: InvokeOptions;
  fetch?: typeof fetch;
  /** @default 'POST' */
  method?: 'POST' | 'GET';
}

/**
 * One JSON HTTP call with the deadline and the shared classification of HTTP-level failures:
 * status codes, timeouts, network errors and non-JSON bodies. Adapters add their own body checks.
 */
export async function requestJson({
  model,
  url,
  body,
  headers,
  options,
  fetch: f,
  method,
}: PostJsonInput): Promise<unknown> {
  const started = Date.now();
  const call = callSignal(options, started);
  let res: Response;
  let text: string;
  try {
    res = await (f ?? fetch)(url, {
      method: method ?? 'POST',
      // traceparent: the model server's own spans join the decision's trace.
      headers: withTraceHeaders({ 'content-type': 'application/json', accept: 'application/json', ...headers }),
      body: method === 'GET' ? undefined : JSON.stringify(body),
      signal: call.signal,
    });
    text = await res.text();
  } catch (err) {
    throw classifyFetchError(model, err, started, options);
  } finally {
    call.release();
  }
  if (!res.ok)
    throw httpStatusFailure({ model, status: res.status, body: text, retryAfter: res.headers.get('retry-after') });
  try {
    return text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    throw badResponseFailure(model, `not JSON (${text.slice(0, 80)})`);
  }
}

function classifyFetchError(model: string, err: unknown, started: number, options: InvokeOptions): ApplicationFailure {
  const e = err as Error;
  if (options.signal?.aborted) {
    return ApplicationFailure.create({
      type: Failure.Model.Cancelled,
      message: `call to model ${model} was cancelled`,
      nonRetryable: true,
      cause: e,
    });
  }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return timeoutFailure(model, Date.now() - started, e);
  return unavailableFailure(model, err);
}
