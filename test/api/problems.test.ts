import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { keyChecker } from '../../api/auth';
import { toProblem } from '../../api/error-problems';
import {
  CaseAlreadyDecidedError,
  CaseValidationError,
  DecisionFailedError,
  FeedbackRejectedError,
  ReviewNotPendingError,
  UnknownDecisionError,
} from '../../client/errors';
import { PipelineInvalidError } from '../../admin/pipelines';
import { LiteralSecretError, RegistrationRejectedError } from '../../admin/registration';
import { ModelNotFoundError } from '../../stores/registry-errors';

const failed = (type: string, details?: unknown[]) =>
  new DecisionFailedError(`failed: ${type}`, 'wf', type, {
    cause: ApplicationFailure.create({ type, message: 'x', details }),
  });
const OUTAGE = 'a backing service stayed unreachable past the outage tolerance; decide the case again later';
const issue = { path: 'input.https', message: 'expected number' };

describe('toProblem', () => {
  it.each([
    ['invalid case', new CaseValidationError([issue], 'wf'), { status: 400, errors: [issue] }],
    ['unknown pipeline', failed('Pipeline.NotFound', [{ available: ['demo'] }]), { status: 404, available: ['demo'] }],
    ['unknown model', failed('Model.NotFound', [{ available: ['gb'] }]), { status: 404, available: ['gb'] }],
    ['model failed', failed('Model.Failed'), { status: 502 }],
    [
      'store down',
      failed('Store.Unavailable'),
      { status: 503, detail: 'a backing service is unavailable; try again shortly' },
    ],
    ['store down too long', failed('Store.OutageExceeded'), { status: 503, detail: OUTAGE }],
    ['model servers down too long', failed('Model.OutageExceeded'), { status: 503, detail: OUTAGE }],
    ['unknown decision', new UnknownDecisionError('d'), { status: 404 }],
    [
      'case already decided by another pipeline',
      new CaseAlreadyDecidedError(
        'c1',
        { models: [], pipeline: { name: 'demo', version: '3' }, decidedAt: '2026-11-29T10:00:00.000Z' } as never,
        'pipeline fraud',
      ),
      { status: 409, type: 'urn:arbiter:problem:case-already-decided' },
    ],
    ['not pending', new ReviewNotPendingError('d', 'it is already closed'), { status: 409 }],
    [
      'feedback invalid',
      new FeedbackRejectedError('bad', 'Feedback.Invalid', [issue]),
      { status: 400, errors: [issue] },
    ],
    ['feedback id reused', new FeedbackRejectedError('reused', 'Feedback.Conflict', []), { status: 409 }],
    ['bad spec', new PipelineInvalidError('p', [{ path: 'steps.0.model', message: 'unknown' }]), { status: 400 }],
    ['registry miss', new ModelNotFoundError('x@9', ['x@1']), { status: 404, available: ['x@1'] }],
    ['no answer', new RegistrationRejectedError('x', new Error('ECONNREFUSED')), { status: 422 }],
    [
      'literal credential',
      new LiteralSecretError('x', [{ path: 'config.headers.authorization', why: 'a credential' }]),
      { status: 400, type: 'urn:arbiter:problem:literal-secret', errors: [{ path: 'config.headers.authorization' }] },
    ],
    [
      'a failure quoting a connection string',
      new DecisionFailedError('similar cases: no pgvector on postgres://app:pw@db:5432/arbiter', 'wf', 'Model.Failed'),
      { status: 502, detail: 'similar cases: no pgvector on postgres://***' },
    ],
  ])('%s', (_name, err, expected) => {
    const problem = toProblem(err);
    expect(problem).toMatchObject(expected);
    expect(problem?.type).toMatch(/^urn:arbiter:problem:[a-z-]+$/);
    expect(problem?.detail).toBe('detail' in expected ? expected.detail : err.message);
  });

  it('leaves anything unexpected to the 500 handler', () => {
    expect(toProblem(new Error('boom'))).toBeUndefined();
    expect(toProblem('a string')).toBeUndefined();
  });
});

describe('keyChecker', () => {
  const matches = keyChecker([
    { name: 'one', roles: ['read'], secret: 'k1' },
    { name: 'long', roles: ['admin'], secret: 'a-much-longer-key' },
  ]);
  it.each([
    ['k1', 'one'],
    ['a-much-longer-key', 'long'],
    ['k', undefined],
    ['k1 ', undefined],
    ['', undefined],
    ['K1', undefined],
  ])('%j → %s', (presented, name) => expect(matches(presented)?.name).toBe(name));
});
