import { createRoute, z } from '@hono/zod-openapi';
import { FeedbackReceiptSchema, FeedbackSchema } from '../../core/feedback';
import { BulkFeedbackReportSchema } from '../../core/feedback-bulk';
import { ReviewOutcomeSchema, ReviewRequestSchema } from '../../core/review';
import type { ApiApp, ApiDeps } from '../deps';
import { problemResponses } from '../problems';
import { reviewerOf } from '../caller';
import { jsonBody, jsonResponse } from './openapi';
import { DecisionIdParamsSchema } from '../schemas/decisions';

/**
 * A verdict; the reviewer recorded is the key's name (api/caller.ts `reviewerOf`), so `reviewer`
 * may be left out, and naming anyone else is a 403.
 */
const ReviewBodySchema = ReviewRequestSchema.extend({
  reviewer: ReviewRequestSchema.shape.reviewer
    .optional()
    .meta({ description: "the key's name when given (anything else is refused); required only without API keys" }),
});

const reviewRoute = createRoute({
  method: 'post',
  path: '/v1/decisions/{id}/review',
  tags: ['decisions'],
  summary: "A reviewer's verdict on a decision waiting for review",
  request: { params: DecisionIdParamsSchema, body: jsonBody(ReviewBodySchema) },
  responses: {
    200: jsonResponse(ReviewOutcomeSchema, 'the recorded review'),
    ...problemResponses(400, 401, 403, 409, 413),
  },
});

// The actor is the key's name, never the body's word.
const FeedbackBodySchema = FeedbackSchema.omit({ decisionId: true, actor: true });

const feedbackRoute = createRoute({
  method: 'post',
  path: '/v1/decisions/{id}/feedback',
  tags: ['decisions'],
  summary: 'Ground truth for a decision (fraud or legit)',
  request: { params: DecisionIdParamsSchema, body: jsonBody(FeedbackBodySchema) },
  responses: {
    200: jsonResponse(FeedbackReceiptSchema, 'what was recorded'),
    ...problemResponses(400, 401, 403, 404, 409, 413),
  },
});

/** The most rows one bulk feedback request may carry (the body limit applies too). */
export const MAX_FEEDBACK_ROWS = 1000;

const BulkFeedbackBodySchema = z.strictObject({
  feedback: z
    .array(z.record(z.string(), z.unknown()))
    .min(1)
    .max(MAX_FEEDBACK_ROWS)
    .meta({
      description:
        'rows of {decisionId or caseId, label, source?, note?, feedbackId?}; a bad row is reported, the others are ' +
        'applied. Without feedbackId a row gets one from the body and its index: the same body twice changes nothing',
    }),
});

const bulkFeedbackRoute = createRoute({
  method: 'post',
  path: '/v1/decisions/feedback',
  tags: ['decisions'],
  summary: 'Ground truth for many decisions at once, straight to the decision log (rows numbered from 0)',
  request: { body: jsonBody(BulkFeedbackBodySchema) },
  responses: {
    200: jsonResponse(BulkFeedbackReportSchema.meta({ id: 'BulkFeedbackReport' }), 'what became of each row'),
    ...problemResponses(400, 401, 403, 413),
  },
});

/** `POST /v1/decisions/{id}/review`, `POST /v1/decisions/{id}/feedback` and `POST /v1/decisions/feedback`. */
export function decisionActionRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(reviewRoute, async (c) => {
    const { reviewer: claimed, ...verdict } = c.req.valid('json');
    const reviewer = reviewerOf(c.get('caller'), claimed);
    const outcome = await deps.client.review(c.req.valid('param').id, { ...verdict, reviewer });
    return c.json(outcome, 200);
  });

  app.openapi(feedbackRoute, async (c) => {
    const { label, ...options } = c.req.valid('json');
    const actor = c.get('caller').name;
    return c.json(await deps.client.submitFeedback(c.req.valid('param').id, label, { ...options, actor }), 200);
  });

  app.openapi(bulkFeedbackRoute, async (c) => {
    const rows = c.req.valid('json').feedback.map((value, row) => ({ row, value }));
    return c.json(await deps.decisions.applyFeedback(rows, c.get('caller').name), 200);
  });
}
