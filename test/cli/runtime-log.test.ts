import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { formatLogEntry } from '../../cli/runtime';
import { Failure } from '../../core/failures';

describe('the CLI worker log', () => {
  it('shows a failed workflow’s error by type and message (a rejected case’s field errors), not as {}', () => {
    const error = ApplicationFailure.create({
      type: Failure.Decision.InvalidCase,
      message: 'invalid case: input.https: expected number',
      nonRetryable: true,
    });
    const line = formatLogEntry({
      level: 'WARN',
      message: 'Workflow failed',
      meta: { workflowId: 'decision-x', error },
    });
    expect(line).toBe(
      'WARN Workflow failed {"workflowId":"decision-x","error":{"type":"Decision.InvalidCase","message":"invalid case: input.https: expected number"}}',
    );
  });
});
