import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { CaseValidationError, DecisionFailedError } from '../../client/errors';
import { permanentFailure } from '../../ingest/classify';
import { deadLetterOf } from '../../ingest/dead-letter';
import { parseRequest } from '../../ingest/messages';

const body = (v: unknown) => JSON.stringify(v);

describe('parseRequest', () => {
  it('takes a request whose key is its caseId, with its options', () => {
    const value = body({ caseId: 'c-1', input: { a: 1 }, model: 'm:champion', extra: 'ignored' });
    expect(parseRequest('c-1', value)).toEqual({
      ok: true,
      request: { caseId: 'c-1', input: { a: 1 }, model: 'm:champion' },
    });
  });

  it.each([
    { what: 'not JSON', key: 'c-1', value: '{"caseId":', reason: 'invalid-json', paths: undefined },
    { what: 'no value', key: 'c-1', value: undefined, reason: 'invalid-json', paths: undefined },
    {
      what: 'input not an object',
      key: 'c-1',
      value: body({ caseId: 'c-1', input: 3 }),
      reason: 'invalid-request',
      paths: ['input'],
    },
    {
      what: 'a bad case id',
      key: 'c 1',
      value: body({ caseId: 'c 1', input: {} }),
      reason: 'invalid-request',
      paths: ['caseId'],
    },
    {
      what: 'an empty model',
      key: 'c-1',
      value: body({ caseId: 'c-1', input: {}, model: '' }),
      reason: 'invalid-request',
      paths: ['model'],
    },
    {
      what: 'another key',
      key: 'c-2',
      value: body({ caseId: 'c-1', input: {} }),
      reason: 'key-mismatch',
      paths: ['caseId'],
    },
    {
      what: 'no key',
      key: undefined,
      value: body({ caseId: 'c-1', input: {} }),
      reason: 'key-mismatch',
      paths: ['caseId'],
    },
  ])('refuses $what as $reason', ({ key, value, reason, paths }) => {
    const parsed = parseRequest(key, value);
    expect(parsed).toMatchObject({ ok: false, reason });
    if (!parsed.ok) expect(parsed.issues?.map((i) => i.path)).toEqual(paths);
  });
});

describe('permanentFailure', () => {
  const failed = (nonRetryable: boolean) =>
    new DecisionFailedError('boom', 'decision-x', 'Model.NotFound', {
      cause: ApplicationFailure.create({ type: 'Model.NotFound', message: 'boom', nonRetryable }),
    });

  it.each([
    {
      what: 'a rejected case',
      err: new CaseValidationError([{ path: 'input.https', message: 'bad' }], 'w'),
      reason: 'rejected',
    },
    { what: 'a non-retryable decision failure', err: failed(true), reason: 'decision-failed' },
    { what: 'a retryable decision failure', err: failed(false), reason: undefined },
    {
      what: 'a decision failure without a cause (timed out)',
      err: new DecisionFailedError('t', 'w', undefined),
      reason: undefined,
    },
    { what: 'anything else (Temporal unreachable)', err: new Error('14 UNAVAILABLE'), reason: undefined },
  ])('$what → $reason', ({ err, reason }) => {
    expect(permanentFailure(err)?.reason).toBe(reason);
  });

  it('keeps the issues of a rejected case', () => {
    const issues = [{ path: 'input.https', message: 'expected number' }];
    expect(permanentFailure(new CaseValidationError(issues, 'w'))?.issues).toEqual(issues);
  });
});

describe('deadLetterOf', () => {
  it('carries where the message was and what it held', () => {
    const message = { topic: 't', partition: 2, offset: 9007199254740993n, key: undefined, value: 'x' };
    const letter = deadLetterOf(message, { reason: 'invalid-json', error: 'nope' }, new Date(0));
    expect(letter).toEqual({
      reason: 'invalid-json',
      error: 'nope',
      topic: 't',
      partition: 2,
      offset: '9007199254740993',
      key: null,
      value: 'x',
      failedAt: '1970-01-01T00:00:00.000Z',
    });
  });
});
