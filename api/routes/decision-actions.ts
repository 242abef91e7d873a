import { createRoute } from '@hono/zod-openapi';
import { FeedbackReceiptSchema, FeedbackSchema } from '../../core/feedback';
import { ReviewOutcomeSchema, ReviewRequestSchema } from '../../core/review';
import type { ApiApp, ApiDeps } from '../deps';
import { problemResponses } from '../problems';
import { jsonBody, jsonResponse } from './openapi';
import { DecisionIdParamsSchema } from '../schemas/decisions';

const reviewRoute = createRoute({
  method: 'post',
  path: '/v1/decisions/{id}/review',
  tags: ['decisions'],
  summary: "A reviewer's verdict on a decision waiting for review",
  request: { params: DecisionIdParamsSchema, body: jsonBody(ReviewRequestSchema) },
  responses: { 200: jsonResponse(ReviewOutcomeSchema, 'the recorded review'), ...problemResponses(400, 401, 409, 413) },
});

const FeedbackBodySchema = FeedbackSchema.omit({ decisionId: true });

const feedbackRoute = createRoute({
  method: 'post',
  path: '/v1/decisions/{id}/feedback',
  tags: ['decisions'],
  summary: 'Ground truth for a decision (fraud or legit)',
  request: { params: DecisionIdParamsSchema, body: jsonBody(FeedbackBodySchema) },
  responses: {
    200: jsonResponse(FeedbackReceiptSchema, 'what was recorded'),
    ...problemResponses(400, 401, 404, 409, 413),
  },
});

/** `POST /v1/decisions/{id}/review` and `POST /v1/decisions/{id}/feedback`. */
export function decisionActionRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(reviewRoute, async (c) => {
    const outcome = await deps.client.review(c.req.valid('param').id, c.req.valid('json'));
    return c.json(outcome, 200);
  });

  app.openapi(feedbackRoute, async (c) => {
    const { label, ...options } = c.req.valid('json');
    return c.json(await deps.client.submitFeedback(c.req.valid('param').id, label, options), 200);
  });
}
