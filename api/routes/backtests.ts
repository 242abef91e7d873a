import { createRoute } from '@hono/zod-openapi';
import { storedRef } from '../../admin/backtests';
import { PipelineInvalidError } from '../../admin/pipelines';
import { BacktestClient, UnknownBacktestError } from '../../client/backtests';
import type { BacktestRequest } from '../../core/lab/backtest';
import type { ApiApp, ApiDeps } from '../deps';
import { problemResponses } from '../problems';
import {
  BacktestBodySchema,
  BacktestParamsSchema,
  BacktestStartedSchema,
  StoredBacktestViewSchema,
} from '../schemas/backtests';
import { jsonBody, jsonResponse } from './openapi';

const tags = ['backtests'];

const startRoute = createRoute({
  method: 'post',
  path: '/v1/backtests',
  tags,
  summary: 'Replay a candidate pipeline over past decisions (nothing is written to the decision log)',
  request: { body: jsonBody(BacktestBodySchema) },
  responses: {
    202: jsonResponse(BacktestStartedSchema, 'started: follow it at /v1/backtests/{id}'),
    ...problemResponses(400, 401, 403, 409, 413),
  },
});

const showRoute = createRoute({
  method: 'get',
  path: '/v1/backtests/{id}',
  tags,
  summary: 'A backtest: where it stands and, once done, its report',
  request: { params: BacktestParamsSchema },
  responses: {
    200: jsonResponse(StoredBacktestViewSchema, 'the backtest'),
    ...problemResponses(401, 403, 404),
  },
});

/** Backtests: start one, read one. */
export function backtestRoutes(app: ApiApp, deps: ApiDeps): void {
  // Built on first use: an app built without a client (unit tests) still serves its other routes.
  const backtests = () => new BacktestClient(deps.client.temporal, deps.client.taskQueue);

  app.openapi(startRoute, async (c) => {
    const { pipeline, spec, rules, ...rest } = c.req.valid('json');
    let candidate: BacktestRequest['candidate'];
    if (spec) {
      const checked = await deps.pipelines.validate(spec);
      if (!checked.ok)
        throw new PipelineInvalidError(typeof spec.name === 'string' ? spec.name : '(unnamed)', checked.issues);
      candidate = { spec: checked.spec };
    } else candidate = storedRef(pipeline ?? '');
    const request: BacktestRequest = {
      ...rest,
      candidate,
      ...(rules ? { rules: storedRef(rules) } : {}),
      actor: c.get('caller').name,
    };
    const started = await backtests().start(request);
    c.header('Location', `/v1/backtests/${started.backtestId}`);
    return c.json(started, 202);
  });

  app.openapi(showRoute, async (c) => {
    const { id } = c.req.valid('param');
    const stored = await deps.backtests.get(id);
    if (!stored) throw new UnknownBacktestError(id);
    return c.json(stored, 200);
  });
}
