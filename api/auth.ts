import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ROLES, type ApiKey, type Role } from '../config/api-keys';
import { isConsolePath } from './console';
import { problem, problemResponse } from './problems';
import { allows, openApiPath, roleFor } from './roles';

/** Paths anyone may read: liveness for orchestrators and load balancers, and the API's own description. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz', '/openapi.json']);

/** Whether a path needs no key: the public paths, and the console's static files (its data calls carry the key). */
export const isPublicPath = (path: string): boolean => PUBLIC_PATHS.has(path) || isConsolePath(path);

/** Who is calling: the matched key's name and roles (`anonymous` with every role under `--no-auth`). */
export interface Caller {
  name: string;
  roles: readonly Role[];
  /** False under `--no-auth`: nobody was identified, so a request body may still say who acts. */
  authenticated: boolean;
}

/** The Hono environment of the API's app: handlers read the caller with `c.get('caller')`. */
export interface ApiEnv {
  Variables: { caller: Caller };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A check of a presented secret against `apiKeys`, answering the key it matches. Both sides are
 * hashed first, so `timingSafeEqual` always compares equal-length buffers and neither a secret's
 * content nor its length leaks through timing; every key is compared, with no early exit.
 */
export function keyChecker(apiKeys: readonly ApiKey[]): (presented: string) => ApiKey | undefined {
  const keys = apiKeys.map((key) => ({ key, digest: digest(key.secret) }));
  return (presented) => {
    const given = digest(presented);
    let found: ApiKey | undefined;
    for (const { key, digest: expected } of keys) {
      const same = timingSafeEqual(given, expected);
      found = same ? key : found;
    }
    return found;
  };
}

function unauthorized(detail: string): Response {
  return problemResponse(problem(401, 'unauthorized', 'Unauthorized', detail), {
    'www-authenticate': 'Bearer realm="arbiter"',
  });
}

const forbidden = (detail: string): Response => problemResponse(problem(403, 'forbidden', 'Forbidden', detail));

/** Why `key` may not call the route this request matched, or undefined when it may (names the key, never its secret). */
function refusal(c: Context, key: ApiKey): string | undefined {
  // HEAD is dispatched as GET, so its routes carry GET; unmatched requests fall through to the 404.
  for (const route of matchedRoutes(c).filter((r) => r.method !== 'ALL')) {
    const where = `${route.method} ${openApiPath(route.path)}`;
    const needed = roleFor(route.method, route.path);
    if (!needed) return `${where} has no role assigned, so no key may call it (key '${key.name}')`;
    if (!allows(key.roles, needed))
      return `${where} needs the '${needed}' role (or 'admin'); key '${key.name}' has ${key.roles.join(', ')}`;
  }
  return undefined;
}

/**
 * Bearer API keys on every path but the public ones: 401 problem with `WWW-Authenticate: Bearer`
 * when the key is missing or wrong, 403 when the key lacks the route's role (api/roles.ts).
 */
export function bearerAuth(apiKeys: readonly ApiKey[]): MiddlewareHandler<ApiEnv> {
  const matches = keyChecker(apiKeys);
  return async (c, next) => {
    if (isPublicPath(c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return unauthorized('send an API key as "Authorization: Bearer <key>"');
    const key = matches(match[1]);
    if (!key) return unauthorized('the API key is not valid');
    const refused = refusal(c, key);
    if (refused) return forbidden(refused);
    c.set('caller', { name: key.name, roles: key.roles, authenticated: true });
    return next();
  };
}

/** `--no-auth`: every request is `anonymous` with every role. */
export function openAccess(): MiddlewareHandler<ApiEnv> {
  const caller: Caller = { name: 'anonymous', roles: ROLES, authenticated: false };
  return async (c, next) => {
    c.set('caller', caller);
    return next();
  };
}
