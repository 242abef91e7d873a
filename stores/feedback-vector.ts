import { ApplicationFailure } from '@temporalio/common';
import type { FeedbackReceipt } from '../core/feedback';
import type { VectorStore } from './vector';

/**
 * Labels the case vector of a decision feedback labelled, so later decisions see the truth among
 * their similar cases. A permanent vector failure must not undo the recorded label: it comes back as
 * the receipt's `vectorNote`. A transient one is thrown (vector failures are classified already), for
 * the caller to retry or note. Single-model (adhoc) decisions store no case vector.
 */
export async function labelCaseVector(
  vectors: VectorStore | undefined,
  receipt: FeedbackReceipt,
): Promise<FeedbackReceipt> {
  if (!vectors || receipt.pipeline === 'adhoc') return receipt;
  try {
    await vectors.updateMetadata(receipt.pipeline, receipt.decisionId, { label: receipt.label });
    return receipt;
  } catch (err) {
    if (err instanceof ApplicationFailure && err.nonRetryable) return { ...receipt, vectorNote: err.message };
    throw err;
  }
}
