import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenAPIHono, z, type Hook } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { pino } from 'pino';
import { toCaseIssues } from '../core/case';
import { PROJECT_ROOT } from '../config/env';
import { bearerAuth, openAccess, type ApiEnv } from './auth';
import type { ApiApp, ApiDeps } from './deps';
import { toProblem } from './error-problems';
import { createApiMetrics, httpMetrics } from './metrics';
import { invalidRequest, problem, problemResponse } from './problems';
import { CODEC_PREFIX, codecCors, codecRoutes } from './routes/codec';
import { withRoles } from './roles';
import { browseRoutes } from './routes/browse';
import { consoleRoutes } from './console';
import { decisionActionRoutes } from './routes/decision-actions';
import { decisionRoutes } from './routes/decisions';
import { modelRoutes } from './routes/models';
import { opsRoutes } from './routes/ops';
import { pipelineRoutes } from './routes/pipelines';
import { backtestRoutes } from './routes/backtests';
import { requestIdOf, requestLog } from './request-log';

/** The default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const WHERE = { json: 'request body', query: 'query string', param: 'path', header: 'headers' } as Record<
  string,
  string
>;

/** Every schema failure becomes a 400 problem naming each bad field (`input`, `thresholds.decline`). */
export const validationHook: Hook<unknown, ApiEnv, string, Response | undefined> = (result) => {
  if (result.success) return undefined;
  return problemResponse(invalidRequest(WHERE[result.target] ?? result.target, toCaseIssues(result.error)));
};

function packageVersion(): string {
  const raw: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  return z.object({ version: z.string() }).parse(raw).version;
}

/**
 * The HTTP API: decisions, models, pipelines, health and metrics, with `/openapi.json` generated
 * from the same zod schemas that validate the requests. Errors are RFC 9457 problems.
 */
export function createApp(deps: ApiDeps): ApiApp {
  if (deps.apiKeys?.length === 0) throw new Error('no API keys given: nobody could call the API (pass null for none)');
  const metrics = deps.metrics ?? createApiMetrics();
  const log = deps.log ?? pino({ level: 'silent' });
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  // First: the access line and the span cover everything after, refusals included.
  app.use('*', requestLog(log));
  app.use('*', httpMetrics(metrics));
  // Before the key check: a browser's preflight carries no Authorization header, and is answered here.
  const origins = deps.codecCorsOrigins ?? [];
  if (origins.length > 0) app.use(`${CODEC_PREFIX}/*`, codecCors(origins));
  app.use('*', deps.apiKeys ? bearerAuth(deps.apiKeys) : openAccess());
  const tooLarge = problem(413, 'payload-too-large', 'Payload too large', 'the request body is too large');
  // Answered before the body is read: closing the connection keeps a client from reusing a socket
  // with the rest of the body still in it.
  const refuseTooLarge = () => problemResponse(tooLarge, { connection: 'close' });
  app.use('*', bodyLimit({ maxSize: deps.bodyLimit ?? DEFAULT_BODY_LIMIT, onError: refuseTooLarge }));

  // Before `/v1/decisions/{id}`: `/v1/decisions/activity` is a route of its own, not a decision id.
  browseRoutes(app, deps, log);
  decisionRoutes(app, deps, log);
  decisionActionRoutes(app, deps);
  modelRoutes(app, deps);
  pipelineRoutes(app, deps);
  backtestRoutes(app, deps);
  opsRoutes(app, deps, metrics, log);
  codecRoutes(app, () => deps.client.temporal.options.loadedDataConverter.payloadCodecs);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: "an API key; each operation's security names the role it needs ('admin' may do everything)",
  });
  // Generated once, at start: a schema the generator cannot express fails here, not on the first GET.
  const generated = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Arbiter', version: deps.version ?? packageVersion() },
    security: deps.apiKeys ? [{ bearer: [] }] : [],
  });
  const document = deps.apiKeys ? withRoles(generated) : generated;
  app.get('/openapi.json', (c) => c.json(document));
  // After the document: the console's files are no API operations.
  consoleRoutes(app);

  app.notFound((c) =>
    problemResponse(problem(404, 'not-found', 'Not found', `no route ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => {
    const known = toProblem(err);
    // 502 and 503 are known but still worth a line: a model or a store is in trouble.
    if (known && known.status >= 500)
      log.warn({ err, requestId: requestIdOf(c), method: c.req.method, path: c.req.path }, known.title);
    if (known) return problemResponse(known);
    log.error({ err, requestId: requestIdOf(c), method: c.req.method, path: c.req.path }, 'request failed');
    return problemResponse(problem(500, 'internal', 'Internal server error', 'the server failed; its log says why'));
  });
  return app;
}
