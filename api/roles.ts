import type { Role } from '../config/api-keys';

/**
 * The role each route needs, by `METHOD /path/{param}` as the OpenAPI document names it. A route
 * missing here is refused to every key (403), so a new route cannot ship open by accident
 * (test/api/roles.test.ts walks every registered route). `/healthz` and `/openapi.json` need no
 * key at all (auth.ts `PUBLIC_PATHS`).
 */
export const ROUTE_ROLES: Readonly<Record<string, Role>> = {
  'POST /v1/decisions': 'decide',
  'GET /v1/decisions': 'read',
  'GET /v1/decisions/{id}': 'read',
  'GET /v1/decisions/activity': 'read',
  // Reviewers read the queue with a `read` key too, as they read the cases they review.
  'GET /v1/reviews': 'read',
  'GET /v1/console/session': 'read',
  'POST /v1/decisions/{id}/review': 'review',
  // Feedback labels decisions: the reviewers' work, and what later metrics are computed from.
  'POST /v1/decisions/{id}/feedback': 'review',
  'POST /v1/decisions/feedback': 'review',
  'GET /v1/models': 'read',
  'GET /v1/models/{name}': 'read',
  'POST /v1/models': 'admin',
  'POST /v1/models/{name}/aliases': 'admin',
  // Running a model or a pipeline on an input is deciding without recording: the same power as `decide`.
  'POST /v1/models/{ref}/infer': 'decide',
  'GET /v1/pipelines': 'read',
  'GET /v1/pipelines/{name}': 'read',
  'POST /v1/pipelines': 'admin',
  'POST /v1/pipelines/{name}/run': 'decide',
  // A promotion changes what decides live cases: as much as applying a spec.
  'POST /v1/pipelines/{name}/promote': 'admin',
  // A backtest runs every model of a candidate over past cases (costly, and it can name any stored
  // pipeline or a spec): an admin's call. Its report only reads what `read` keys see already.
  'POST /v1/backtests': 'admin',
  'GET /v1/backtests/{id}': 'read',
  'GET /metrics': 'read',
  // The Temporal CLI and UI read histories through these: decoding shows a case's input, which a
  // `read` key already sees in `GET /v1/decisions/{id}`; encoding reveals nothing.
  'POST /codec/encode': 'read',
  'POST /codec/decode': 'read',
};

/** Hono's `/v1/models/:name` as the OpenAPI document writes it, `/v1/models/{name}`. */
export const openApiPath = (honoPath: string): string => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');

/** The role a route needs, or undefined for a route nobody mapped (which is then refused). */
export function roleFor(method: string, honoPath: string): Role | undefined {
  return ROUTE_ROLES[`${method.toUpperCase()} ${openApiPath(honoPath)}`];
}

/** `admin` may do everything; every other role only its own routes (a `decide` key that follows a 202 needs `read` too). */
export function allows(roles: readonly Role[], needed: Role): boolean {
  return roles.includes('admin') || roles.includes(needed);
}

type Operation = { security?: Record<string, string[]>[] } | undefined;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document with each protected operation's role in its security requirement
 * (`bearer: ['review']`; OpenAPI 3.1 lets a non-OAuth scheme list the roles it needs). Operations
 * that declare `security: []` (`/healthz`) stay public.
 */
export function withRoles<D extends { paths?: object }>(doc: D): D {
  const paths = (doc.paths ?? {}) as Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      const role = ROUTE_ROLES[`${method.toUpperCase()} ${path}`];
      if (!operation || operation.security?.length === 0 || !role) continue;
      operation.security = [{ bearer: [role] }];
    }
  }
  return doc;
}
