import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp, ApiDeps } from '../deps';
import { problemResponses } from '../problems';
import {
  AliasEventSchema,
  InputRowSchema,
  ModelDetailsSchema,
  ModelExecutionSchema,
  ModelNameParamsSchema,
  ModelRefParamsSchema,
  ModelSummarySchema,
  PromoteBodySchema,
  RegisterModelBodySchema,
  RegisteredSchema,
} from '../schemas/models';
import { jsonBody, jsonResponse } from './openapi';

const tags = ['models'];

const listRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  tags,
  summary: 'Every model with its kind, latest version and aliases',
  responses: {
    200: jsonResponse(z.object({ models: z.array(ModelSummarySchema) }), 'the registry'),
    ...problemResponses(401, 403),
  },
});

const showRoute = createRoute({
  method: 'get',
  path: '/v1/models/{name}',
  tags,
  summary: 'Versions, aliases and alias history of one model',
  request: { params: ModelNameParamsSchema },
  responses: { 200: jsonResponse(ModelDetailsSchema, 'the model'), ...problemResponses(400, 401, 403, 404) },
});

const registerRoute = createRoute({
  method: 'post',
  path: '/v1/models',
  tags,
  summary: 'Probe a model and register it as the next version of its name (an identical spec keeps its version)',
  request: { body: jsonBody(RegisterModelBodySchema) },
  responses: {
    201: jsonResponse(RegisteredSchema, 'stored as a new version'),
    200: jsonResponse(RegisteredSchema, 'unchanged: the latest version already holds this spec'),
    ...problemResponses(400, 401, 403, 413, 422),
  },
});

const promoteRoute = createRoute({
  method: 'post',
  path: '/v1/models/{name}/aliases',
  tags,
  summary: 'Point an alias at a version (promote)',
  request: { params: ModelNameParamsSchema, body: jsonBody(PromoteBodySchema) },
  responses: {
    200: jsonResponse(AliasEventSchema, 'the alias move'),
    ...problemResponses(400, 401, 403, 404, 409, 413),
  },
});

const inferRoute = createRoute({
  method: 'post',
  path: '/v1/models/{ref}/infer',
  tags,
  summary: 'Call one model (name:alias or name@version) on one input, through Temporal',
  request: { params: ModelRefParamsSchema, body: jsonBody(InputRowSchema) },
  responses: {
    200: jsonResponse(ModelExecutionSchema, 'the output'),
    ...problemResponses(400, 401, 403, 404, 413, 502),
  },
});

/** The model registry: list, show, register, promote, infer. */
export function modelRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(listRoute, async (c) => c.json({ models: await deps.models.list() }, 200));

  app.openapi(showRoute, async (c) => c.json(await deps.models.show(c.req.valid('param').name), 200));

  app.openapi(registerRoute, async (c) => {
    const { aliases, reason, card: _provenance, ...spec } = c.req.valid('json');
    const registered = await deps.models.register(spec, {
      aliases,
      reason: reason ?? 'registered through the API',
      actor: c.get('caller').name,
    });
    if (!registered.created) return c.json(registered, 200);
    c.header('Location', `/v1/models/${registered.version.name}`);
    return c.json(registered, 201);
  });

  app.openapi(promoteRoute, async (c) => {
    const { alias, version, reason, backtest } = c.req.valid('json');
    const ref = `${c.req.valid('param').name}@${version}`;
    const actor = c.get('caller').name;
    return c.json(await deps.models.promote(ref, alias, reason ?? 'promoted through the API', actor, backtest), 200);
  });

  app.openapi(inferRoute, async (c) => {
    return c.json(await deps.client.executeModel(c.req.valid('param').ref, c.req.valid('json')), 200);
  });
}
