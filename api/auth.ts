import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problem, problemResponse } from './problems';

/** Paths anyone may read: liveness for orchestrators and load balancers, and the API's own description. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz', '/openapi.json']);

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A check of presented keys against `apiKeys`. Both sides are hashed first, so `timingSafeEqual`
 * always compares equal-length buffers and neither a key's content nor its length leaks through
 * timing; every key is compared, with no early exit.
 */
export function keyChecker(apiKeys: readonly string[]): (presented: string) => boolean {
  const keys = apiKeys.map(digest);
  return (presented) => {
    const given = digest(presented);
    let ok = false;
    for (const key of keys) ok = timingSafeEqual(given, key) || ok;
    return ok;
  };
}

function unauthorized(detail: string): Response {
  return problemResponse(problem(401, 'unauthorized', 'Unauthorized', detail), {
    'www-authenticate': 'Bearer realm="arbiter"',
  });
}

/**
 * Bearer API keys on every path but the public ones: 401 problem with `WWW-Authenticate: Bearer`
 * when the key is missing or wrong.
 */
export function bearerAuth(apiKeys: readonly string[]): MiddlewareHandler {
  const matches = keyChecker(apiKeys);
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return unauthorized('send an API key as "Authorization: Bearer <key>"');
    if (!matches(match[1])) return unauthorized('the API key is not valid');
    return next();
  };
}
