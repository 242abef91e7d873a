import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DecisionFailedError } from '../../client/errors';
import { permanentFailure } from '../../ingest/classify';

/** A decision failure as the client raises it, with a root failure of `type`. */
function failed(type: string, nonRetryable: boolean): DecisionFailedError {
  const root = ApplicationFailure.create({ type, message: `${type} happened`, nonRetryable });
  return new DecisionFailedError(root.message, 'decision-x', type, { cause: root });
}

describe('permanentFailure', () => {
  it.each([
    ['Pipeline.NotFound', true, 'decision-failed'],
    ['Store.OutageExceeded', true, undefined],
    ['Model.OutageExceeded', true, undefined],
    ['Store.Unavailable', false, undefined],
  ])('%s (nonRetryable %s) → %s', (type, nonRetryable, reason) => {
    expect(permanentFailure(failed(type, nonRetryable))?.reason).toBe(reason);
  });
});
