import { describe, expect, it } from 'vitest';
import { toStoreFailure } from '../../stores/pg-errors';

const withCode = (code: string) => Object.assign(new Error(`failed ${code}`), { code });

describe('toStoreFailure', () => {
  it.each([
    ['ECONNREFUSED', 'Store.Unavailable', false],
    ['57P01', 'Store.Unavailable', false], // admin shutdown
    ['53300', 'Store.Unavailable', false], // too many connections
    ['40001', 'Store.Unavailable', false], // serialization failure
    ['23505', 'Store.Rejected', true], // unique violation
    ['22P02', 'Store.Rejected', true], // invalid text representation
    ['42P01', 'Store.Rejected', true], // undefined table
  ])('%s → %s', (code, type, nonRetryable) => {
    const err = withCode(code);
    const failure = toStoreFailure(err, 'recording x');
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(failure.cause).toBe(err);
    expect(failure.message).toContain('recording x');
  });
});
