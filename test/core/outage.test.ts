import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../config/env';
import { outageBackoffMs, outageServiceOf, parseDurationMs } from '../../core/outage';

describe('outage rules', () => {
  it.each([
    ['10m', 600_000],
    ['30s', 30_000],
    ['1500ms', 1_500],
    ['1500', 1_500],
    ['1.5s', 1_500],
    ['1h', 3_600_000],
    [' 2m ', 120_000],
    ['ten minutes', undefined],
    ['-1s', undefined],
    ['', undefined],
  ])('parses the duration %j as %j ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it('backs off 1 s doubling to a cap of 15 s', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map(outageBackoffMs)).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
  });

  it('names the unreachable service of retryable outage types only', () => {
    expect(outageServiceOf('Store.Unavailable')).toBe('PostgreSQL');
    expect(outageServiceOf('Vector.Unavailable')).toBe('the vector store');
    expect(outageServiceOf('Store.Rejected')).toBeUndefined();
    expect(outageServiceOf(null)).toBeUndefined();
  });

  it('reads ARBITER_OUTAGE_TOLERANCE and friends from the environment, naming a bad value', () => {
    const env = loadEnv({ ARBITER_OUTAGE_TOLERANCE: '90s', ARBITER_SHUTDOWN_GRACE: '2500' });
    expect(env).toMatchObject({
      ARBITER_OUTAGE_TOLERANCE: 90_000,
      ARBITER_SHUTDOWN_GRACE: 2_500,
      ARBITER_API_DECIDE_WAIT: 10_000,
    });
    expect(() => loadEnv({ ARBITER_OUTAGE_TOLERANCE: 'forever' })).toThrow(
      /ARBITER_OUTAGE_TOLERANCE: expected a duration/,
    );
  });
});
