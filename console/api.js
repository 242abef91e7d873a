// Every data call carries the API key (Authorization: Bearer …); the key lives in sessionStorage,
// so it is gone when the tab closes and never sent anywhere but this origin's API.
const KEY = 'arbiter.apiKey';

export const storedKey = () => sessionStorage.getItem(KEY);
export const storeKey = (key) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

/** A refused or failed call, with the problem document the API answered (RFC 9457). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** A JSON call to the API; 401 forgets the key (it is wrong or was revoked). */
export async function api(path, { method = 'GET', body, key = storedKey() } = {}) {
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (res.status === 401) forgetKey();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A query string from the set fields of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
