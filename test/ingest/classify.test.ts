import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { CaseAlreadyDecidedError, DecisionFailedError } from '../../client/errors';
import { permanentFailure } from '../../ingest/classify';

/** A decision failure as the client raises it, with a root failure of `type`. */
function failed(type: string, nonRetryable: boolean): DecisionFailedError {
  const root = ApplicationFailure.create({ type, message: `${type} happened`, nonRetryable });
  return new DecisionFailedError(root.message, 'decision-x', type, { cause: root });
}

describe('permanentFailure', () => {
  it('dead-letters a case already decided by another pipeline', () => {
    const decision = { models: [], pipeline: { name: 'demo', version: '3' }, decidedAt: '2026-11-29T10:00:00Z' };
    const err = new CaseAlreadyDecidedError('c1', decision as never, 'pipeline fraud');
    const letter = permanentFailure(err);
    expect(letter?.reason).toBe('already-decided');
    expect(letter?.error).toMatch(/^case c1 was already decided by pipeline demo@3/);
  });

  it.each([
    ['Pipeline.NotFound', true, 'decision-failed'],
    ['Store.OutageExceeded', true, undefined],
    ['Model.OutageExceeded', true, undefined],
    ['Store.Unavailable', false, undefined],
  ])('%s (nonRetryable %s) → %s', (type, nonRetryable, reason) => {
    expect(permanentFailure(failed(type, nonRetryable))?.reason).toBe(reason);
  });
});
