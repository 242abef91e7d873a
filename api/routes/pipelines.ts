import { createRoute, z } from '@hono/zod-openapi';
import { PipelineResultSchema } from '../../core/pipeline/types';
import type { ApiApp, ApiDeps } from '../deps';
import { problemResponses } from '../problems';
import { InputRowSchema } from '../schemas/models';
import { jsonBody, jsonResponse } from './openapi';

const tags = ['pipelines'];

/**
 * A pipeline spec as JSON. Its steps nest recursively, which the OpenAPI generator cannot follow, so
 * the document shows an object; `POST /v1/pipelines` checks it fully and names every bad path.
 */
const SpecSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'a pipeline spec: name, steps, output, ... (see the README, "Pipelines")' });

const StoredPipelineSchema = z.object({
  name: z.string(),
  version: z.string(),
  spec: SpecSchema,
  createdAt: z.string(),
  /** Who applied this version (an API key's name, `cli:<os user>`, `seed`); null before actors were recorded. */
  actor: z.string().nullable(),
  /** A version stored by `pipelines fit`: not pinned by decisions until promoted. */
  candidate: z.boolean().optional(),
});
const AppliedSchema = z.object({ pipeline: StoredPipelineSchema, created: z.boolean() });
const NameParamsSchema = z.object({
  name: z.string().min(1).max(63).meta({ example: 'demo' }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/pipelines',
  tags,
  summary: 'The latest version of every pipeline',
  responses: {
    200: jsonResponse(z.object({ pipelines: z.array(StoredPipelineSchema) }), 'the pipelines'),
    ...problemResponses(401, 403),
  },
});

const showRoute = createRoute({
  method: 'get',
  path: '/v1/pipelines/{name}',
  tags,
  summary: 'Every version of one pipeline, oldest first',
  request: { params: NameParamsSchema },
  responses: {
    200: jsonResponse(z.object({ versions: z.array(StoredPipelineSchema) }), 'the versions'),
    ...problemResponses(401, 403, 404),
  },
});

const applyRoute = createRoute({
  method: 'post',
  path: '/v1/pipelines',
  tags,
  summary: 'Validate a spec and store it as the next version (an unchanged spec keeps its version)',
  request: { body: jsonBody(SpecSchema) },
  responses: {
    201: jsonResponse(AppliedSchema, 'stored as a new version'),
    200: jsonResponse(AppliedSchema, 'unchanged: the version already holding this spec'),
    ...problemResponses(400, 401, 403, 413),
  },
});

const runRoute = createRoute({
  method: 'post',
  path: '/v1/pipelines/{name}/run',
  tags,
  summary: "Run a stored pipeline on one input: every step's output, no decision",
  request: { params: NameParamsSchema, body: jsonBody(InputRowSchema) },
  responses: {
    200: jsonResponse(PipelineResultSchema, 'the result'),
    ...problemResponses(400, 401, 403, 404, 413, 502),
  },
});

const PromoteBodySchema = z.object({
  version: z
    .string()
    .regex(/^[1-9][0-9]*$/)
    .meta({ example: '4' }),
  reason: z.string().min(1).max(500),
  /** A finished backtest cited as the evidence, recorded with the promotion. @default none */
  backtest: z.string().min(1).max(100).optional(),
});
const PromotionSchema = z.object({
  name: z.string(),
  /** The version now live (a copy of the candidate when a newer version was live already). */
  version: z.string(),
  /** The candidate promoted, when it was copied to `version`. */
  from: z.string().optional(),
  backtestId: z.string().nullable(),
  reason: z.string(),
  actor: z.string().nullable(),
  promotedAt: z.string(),
});

const promoteRoute = createRoute({
  method: 'post',
  path: '/v1/pipelines/{name}/promote',
  tags,
  summary: 'Make a version live (a candidate from fit, or any version), citing a backtest as evidence',
  request: { params: NameParamsSchema, body: jsonBody(PromoteBodySchema) },
  responses: {
    200: jsonResponse(PromotionSchema, 'the promotion'),
    ...problemResponses(400, 401, 403, 404, 409, 413),
  },
});

/** Declarative pipelines: list, show, apply, run, promote. */
export function pipelineRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(listRoute, async (c) => c.json({ pipelines: await deps.pipelines.list() }, 200));

  app.openapi(showRoute, async (c) => c.json({ versions: await deps.pipelines.show(c.req.valid('param').name) }, 200));

  app.openapi(applyRoute, async (c) => {
    const applied = await deps.pipelines.apply(c.req.valid('json'), c.get('caller').name);
    if (applied.created) c.header('Location', `/v1/pipelines/${applied.pipeline.name}`);
    return applied.created ? c.json(applied, 201) : c.json(applied, 200);
  });

  app.openapi(promoteRoute, async (c) => {
    const { version, reason, backtest } = c.req.valid('json');
    const evidence = { reason, actor: c.get('caller').name, ...(backtest ? { backtestId: backtest } : {}) };
    return c.json(await deps.pipelines.promote(c.req.valid('param').name, version, evidence), 200);
  });

  app.openapi(runRoute, async (c) => {
    return c.json(await deps.client.executePipeline(c.req.valid('param').name, c.req.valid('json')), 200);
  });
}
