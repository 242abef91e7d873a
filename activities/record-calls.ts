import type { ModelCall } from '../core/pipeline/types';
import type { DecisionStore } from '../stores/decision-store';
import { toStoreFailure } from '../stores/pg-errors';

/** Builds the activity that writes every model call of a decision (late and shadow ones included). */
export function createRecordModelCalls(store: DecisionStore) {
  return async function recordModelCalls({
    decisionId,
    calls,
  }: {
    decisionId: string;
    calls: ModelCall[];
  }): Promise<void> {
    await store.insertModelCalls(decisionId, calls).catch((err: unknown) => {
      throw toStoreFailure(err, `recording model calls of ${decisionId}`);
    });
  };
}
