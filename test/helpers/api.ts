/** What a test reads back from the API: the status, the headers and the body (parsed when JSON). */
export interface ApiReply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  /** A bearer key (`undefined` sends none). @default the caller's default key */
  key?: string;
  /** Sent as-is instead of JSON.stringify(body). */
  raw?: string;
  headers?: Record<string, string>;
}

/** A fetch-based caller of the API at `baseUrl`. */
export function apiCaller(baseUrl: string, defaultKey?: string) {
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    given: CallOptions = {},
  ): Promise<ApiReply<T>> => {
    const options: CallOptions = { key: defaultKey, ...given };
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await res.text();
    const isJson = /json/.test(res.headers.get('content-type') ?? '');
    return { status: res.status, headers: res.headers, body: (isJson ? JSON.parse(text) : text) as T };
  };
}

/** Polls `fn` until `done` says so (or `timeoutMs` passes, then returns the last value). */
export async function pollUntil<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await fn();
  while (!done(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    value = await fn();
  }
  return value;
}
