import type { ModelCall } from '../core/pipeline/types';
import { ReviewOutcomeSchema, type ReviewOutcome } from '../core/review';
import type { DecisionRecord, RejectionRecord } from '../core/records';
import { DecisionRecordSchema, RejectionRecordSchema } from '../core/records';
import type { DecisionStore } from '../stores/decision-store';
import { toStoreFailure } from '../stores/pg-errors';

/**
 * Builds the activities that write the decision log; all are idempotent, so retries are safe.
 * With `storeInput: false` only each case's input hash is kept (data that must not be retained).
 */
export function createRecorders(store: DecisionStore, { storeInput }: { storeInput: boolean } = { storeInput: true }) {
  return {
    /**
     * Writes the decision and the model calls settled so far (one activity: one less round trip).
     * With `receivedAt` (epoch ms, when the way in got the request) the decision's `latencyMs` is
     * the real time elapsed since then — the workflow's own clock stands still within a workflow
     * task, so it under-reports — and is returned for the workflow's answer.
     */
    recordDecision: async (
      record: DecisionRecord,
      calls: ModelCall[] = [],
      receivedAt?: number,
    ): Promise<{ latencyMs?: number }> => {
      const latencyMs = receivedAt === undefined ? record.latencyMs : Math.max(Date.now() - receivedAt, 0);
      const valid = DecisionRecordSchema.parse({ ...record, latencyMs });
      try {
        await store.insertDecision(valid, { storeInput });
        await store.insertModelCalls(valid.decisionId, calls);
      } catch (err) {
        throw toStoreFailure(err, `recording decision ${record.decisionId}`);
      }
      return { latencyMs };
    },
    /** Writes a review's verdict (or escalation) onto the decision's row. */
    recordReview: async ({ decisionId, review }: { decisionId: string; review: ReviewOutcome }): Promise<void> => {
      await store.recordReview(decisionId, ReviewOutcomeSchema.parse(review)).catch((err: unknown) => {
        throw toStoreFailure(err, `recording the review of ${decisionId}`);
      });
    },
    recordRejection: async (record: RejectionRecord): Promise<void> => {
      const valid = RejectionRecordSchema.parse(record);
      await store.insertRejection(storeInput ? valid : { ...valid, input: null }).catch((err: unknown) => {
        throw toStoreFailure(err, `recording rejection of ${record.workflowId}`);
      });
    },
  };
}
