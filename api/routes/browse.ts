import { createRoute } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import { reviewSummary } from '../../core/decision-search';
import { BatchSchedules } from '../../client/batch-schedules';
import type { ApiApp, ApiDeps } from '../deps';
import { problemResponses } from '../problems';
import {
  ActivityQuerySchema,
  ActivitySchema,
  DecisionPageSchema,
  DecisionSearchSchema,
  ReviewQueueQuerySchema,
  ReviewQueueSchema,
  SessionSchema,
} from '../schemas/browse';
import { jsonResponse } from './openapi';

const searchRoute = createRoute({
  method: 'get',
  path: '/v1/decisions',
  tags: ['decisions'],
  summary: 'Search the decision log, newest first, a page at a time (cursor)',
  request: { query: DecisionSearchSchema },
  responses: { 200: jsonResponse(DecisionPageSchema, 'a page of decisions'), ...problemResponses(400, 401, 403) },
});

const reviewsRoute = createRoute({
  method: 'get',
  path: '/v1/reviews',
  tags: ['reviews'],
  summary: 'Decisions waiting for a reviewer, oldest first, each with its score, top reasons and time left',
  request: { query: ReviewQueueQuerySchema },
  responses: { 200: jsonResponse(ReviewQueueSchema, 'the review queue'), ...problemResponses(400, 401, 403) },
});

const activityRoute = createRoute({
  method: 'get',
  path: '/v1/decisions/activity',
  tags: ['decisions'],
  summary: 'Decisions over time, review backlog, member agreement and accuracy, batch runs and schedules',
  request: { query: ActivityQuerySchema },
  responses: { 200: jsonResponse(ActivitySchema, 'the dashboard'), ...problemResponses(400, 401, 403) },
});

const sessionRoute = createRoute({
  method: 'get',
  path: '/v1/console/session',
  tags: ['console'],
  summary: "The calling key's name and roles, and the Temporal UI address the console links to",
  responses: { 200: jsonResponse(SessionSchema, 'who is signed in'), ...problemResponses(401, 403) },
});

/** The read side the console runs on: search, the review queue, the dashboard, and who is signed in. */
export function browseRoutes(app: ApiApp, deps: ApiDeps, log: Logger): void {
  app.openapi(searchRoute, async (c) => c.json(await deps.decisions.search(c.req.valid('query')), 200));

  app.openapi(reviewsRoute, async (c) => {
    const pending = await deps.decisions.pendingReviews(c.req.valid('query'));
    const policies = await deps.client.reviewPolicies(pending.map((d) => d.decisionId));
    const now = Date.now();
    return c.json({ reviews: pending.map((d) => reviewSummary(d, policies.get(d.decisionId), now)) }, 200);
  });

  app.openapi(activityRoute, async (c) => {
    const q = c.req.valid('query');
    const since = new Date(Date.now() - q.hours * 3_600_000);
    const bucketS = q.bucketS ?? Math.max(60, Math.round((q.hours * 3600) / 48));
    const [activity, schedules] = await Promise.all([
      deps.decisions.activity({ since, bucketS, pipeline: q.pipeline, cutoff: q.cutoff }),
      new BatchSchedules(deps.client.temporal, deps.client.taskQueue).list().then(
        (list) =>
          list.map((s) => ({
            name: s.name,
            spec: s.spec,
            paused: s.paused,
            nextRuns: s.nextRunsAt,
            running: s.running.map((r) => r.batchId),
          })),
        (err: unknown) => {
          log.warn({ err }, 'batch schedules unreadable; the dashboard answers without them');
          return undefined;
        },
      ),
    ]);
    return c.json({ since: since.toISOString(), bucketS, ...activity, ...(schedules ? { schedules } : {}) }, 200);
  });

  app.openapi(sessionRoute, (c) => {
    const { name, roles } = c.get('caller');
    const namespace = deps.client.temporal.options.namespace;
    return c.json(
      { name, roles: [...roles], namespace, ...(deps.temporalUi ? { temporalUi: deps.temporalUi } : {}) },
      200,
    );
  });
}
