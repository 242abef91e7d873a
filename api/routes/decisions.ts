import { performance } from 'node:perf_hooks';
import { createRoute } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import { decisionWorkflowId } from '../../core/workflow-input';
import { decisionView } from '../../core/decision-view';
import type { ApiApp, ApiDeps } from '../deps';
import { problemResponses } from '../problems';
import { jsonBody, jsonResponse } from './openapi';
import { noteDecision } from '../request-log';
import {
  DecideBodySchema,
  DecideQuerySchema,
  DecisionIdParamsSchema,
  DecisionStatusViewSchema,
  DecisionViewSchema,
  StartedDecisionSchema,
} from '../schemas/decisions';

const decideRoute = createRoute({
  method: 'post',
  path: '/v1/decisions',
  tags: ['decisions'],
  summary: 'Decide a case (or, with ?wait=false or once the API stops waiting, answer that it is under way)',
  request: {
    query: DecideQuerySchema,
    body: jsonBody(DecideBodySchema),
  },
  responses: {
    200: jsonResponse(DecisionViewSchema, 'the decision'),
    202: {
      ...jsonResponse(
        StartedDecisionSchema,
        'started (?wait=false), or still under way when the wait ran out; GET the Location for the outcome',
      ),
      headers: { Location: { schema: { type: 'string' }, description: '/v1/decisions/{id}' } },
    },
    ...problemResponses(400, 401, 403, 404, 413, 502),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/decisions/{id}',
  tags: ['decisions'],
  summary: 'Where a decision stands: pending, decided, rejected or failed',
  request: { params: DecisionIdParamsSchema },
  responses: { 200: jsonResponse(DecisionStatusViewSchema, 'the decision status'), ...problemResponses(401, 403, 404) },
});

/** The decision log's row, best effort: the status comes from Temporal and stands without it. */
async function auditOf(deps: ApiDeps, log: Logger, id: string) {
  try {
    return await deps.decisions.get(id);
  } catch (err) {
    log.warn({ err, decisionId: id }, 'decision log unreadable; answering without the audit row');
    return undefined;
  }
}

const STILL_UNDER_WAY = Symbol('still under way');

/** The decision, or STILL_UNDER_WAY once `ms` have passed (the decision goes on, durably). */
async function withinWait<T>(decision: Promise<T>, ms: number): Promise<T | typeof STILL_UNDER_WAY> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<typeof STILL_UNDER_WAY>((resolve) => (timer = setTimeout(resolve, ms, STILL_UNDER_WAY)));
  try {
    return await Promise.race([decision, waited]);
  } finally {
    clearTimeout(timer);
  }
}

/** `POST /v1/decisions` and `GET /v1/decisions/{id}`. */
export function decisionRoutes(app: ApiApp, deps: ApiDeps, log: Logger): void {
  app.openapi(decideRoute, async (c) => {
    const { caseId, input, ...how } = c.req.valid('json');
    const request = { caseId, input };
    noteDecision(c, decisionWorkflowId(caseId));
    if (c.req.valid('query').wait === 'false') {
      // Eager start hands the first task straight to a worker sharing this connection (the embedded stack).
      const started = await deps.client.startDecision(request, { ...how, eager: true, via: 'api' });
      c.header('Location', `/v1/decisions/${encodeURIComponent(started.decisionId)}`);
      return c.json(started, 202);
    }
    const t0 = performance.now();
    // Counted by the worker that records it (arbiter_decisions_total{via="api"}), once, like every way in.
    const deciding = deps.client.decide(request, { ...how, via: 'api' });
    const result = await withinWait(deciding, deps.decideWaitMs ?? 10_000);
    if (result === STILL_UNDER_WAY) {
      // A decision waiting out an outage is not an error: say where to find it. (Counted once it ends.)
      deciding.catch(() => undefined);
      const decisionId = decisionWorkflowId(caseId);
      c.header('Location', `/v1/decisions/${encodeURIComponent(decisionId)}`);
      return c.json({ decisionId, started: true }, 202);
    }
    return c.json(decisionView(result, Math.round((performance.now() - t0) * 10) / 10), 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    noteDecision(c, id);
    // auditOf never rejects, so a getDecision failure leaves nothing unhandled behind it.
    const [status, audit] = await Promise.all([deps.client.getDecision(id), auditOf(deps, log, id)]);
    const view = status.status === 'decided' ? { ...status, decision: decisionView(status.decision) } : status;
    return c.json({ ...view, ...(audit ? { audit } : {}) }, 200);
  });
}
