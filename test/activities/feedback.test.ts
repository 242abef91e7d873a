import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createFeedbackActivities } from '../../activities/feedback';
import type { FeedbackReceipt } from '../../core/feedback';
import type { FeedbackStore } from '../../stores/feedback-store';
import type { VectorStore } from '../../stores/vector';
import { failureOf } from '../helpers/failures';

const receipt: FeedbackReceipt = {
  decisionId: 'd1',
  feedbackId: 'f1',
  pipeline: 'demo',
  label: 'fraud',
  changed: true,
};
const recorded: unknown[] = [];
const feedback = {
  record: (fb: unknown) => {
    recorded.push(fb);
    return Promise.resolve(receipt);
  },
} as unknown as FeedbackStore;

/** A vector store whose metadata updates fail as given. */
function failingVectors(failure: ApplicationFailure): VectorStore {
  return { updateMetadata: () => Promise.reject(failure) } as unknown as VectorStore;
}

describe('recordFeedback and the vector store', () => {
  it('keeps the recorded label and reports why when the vector store refuses for good', async () => {
    const failure = ApplicationFailure.create({
      type: 'Vector.NotInstalled',
      message: 'pgvector is not installed on this PostgreSQL',
      nonRetryable: true,
    });
    const { recordFeedback } = createFeedbackActivities({ feedback, vectors: failingVectors(failure) });
    const got = await recordFeedback({ decisionId: 'd1', label: 'fraud', feedbackId: 'f1' });
    expect(got).toEqual({ ...receipt, vectorNote: 'pgvector is not installed on this PostgreSQL' });
    expect(recorded).toHaveLength(1);
  });

  it('fails retryably on a transient vector failure, so Temporal tries again', async () => {
    const failure = ApplicationFailure.create({ type: 'Vector.Unavailable', message: 'connection refused' });
    const { recordFeedback } = createFeedbackActivities({ feedback, vectors: failingVectors(failure) });
    const err = await failureOf(recordFeedback({ decisionId: 'd1', label: 'fraud', feedbackId: 'f1' }));
    expect([err.type, err.nonRetryable]).toEqual(['Vector.Unavailable', false]);
  });
});
