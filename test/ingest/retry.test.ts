import { describe, expect, it } from 'vitest';
import {
  AttemptTimeoutError,
  causeChain,
  RetriesExhaustedError,
  RetryInterruptedError,
  withRetries,
  type RetryPolicy,
} from '../../ingest/retry';

const policy: RetryPolicy = { attempts: 3, initialDelayMs: 1, maxDelayMs: 5, attemptTimeoutMs: 200 };

/** A function failing `failures` times with `err`, then answering 'ok'; counts its calls. */
function flaky(failures: number, err: () => Error = () => new Error('down')) {
  const fn = () => (++fn.calls <= failures ? Promise.reject(err()) : Promise.resolve('ok'));
  fn.calls = 0;
  return fn;
}

class Permanent extends Error {}

describe('withRetries', () => {
  it('retries what may pass, waiting longer each time, until it succeeds', async () => {
    const fn = flaky(2);
    const delays: number[] = [];
    const ctx = { policy: { ...policy, initialDelayMs: 2 }, signal: new AbortController().signal };
    await expect(withRetries('x', fn, { ...ctx, onRetry: (_e, _a, ms) => delays.push(ms) })).resolves.toBe('ok');
    expect(fn.calls).toBe(3);
    expect(delays).toEqual([2, 4]);
  });

  it('gives up after the last try, keeping the last error as the cause', async () => {
    const fn = flaky(5);
    const err = await withRetries('deciding it', fn, { policy, signal: new AbortController().signal }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as Error).message).toBe('deciding it failed 3 times; last error: down');
    expect((err as Error).cause).toEqual(new Error('down'));
    expect(fn.calls).toBe(3);
  });

  it('asks again, without counting a failure, while the call says it is still under way', async () => {
    class UnderWay extends Error {}
    const fn = flaky(6, () => new UnderWay('still deciding'));
    const ctx = { policy, signal: new AbortController().signal, isUnderWay: (e: unknown) => e instanceof UnderWay };
    await expect(withRetries('x', fn, ctx)).resolves.toBe('ok');
    expect(fn.calls).toBe(7);
  });

  it('throws a permanent error at once', async () => {
    const fn = flaky(1, () => new Permanent('no such model'));
    const ctx = { policy, signal: new AbortController().signal, isPermanent: (e: unknown) => e instanceof Permanent };
    await expect(withRetries('x', fn, ctx)).rejects.toBeInstanceOf(Permanent);
    expect(fn.calls).toBe(1);
  });

  it('counts a try that does not answer in time as failed', async () => {
    let calls = 0;
    const hang = () => (++calls === 1 ? new Promise<string>(() => undefined) : Promise.resolve('ok'));
    const errors: unknown[] = [];
    const ctx = { policy: { ...policy, attemptTimeoutMs: 20 }, signal: new AbortController().signal };
    await expect(withRetries('x', hang, { ...ctx, onRetry: (e) => errors.push(e) })).resolves.toBe('ok');
    expect(errors).toEqual([new AttemptTimeoutError('x', 20)]);
  });

  it('stops waiting to retry when shutdown begins, and starts no retry after it', async () => {
    const shutdown = new AbortController();
    const fn = flaky(5);
    const slow = { ...policy, initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const pending = withRetries('x', fn, { policy: slow, signal: shutdown.signal });
    setTimeout(() => shutdown.abort(), 10);
    await expect(pending).rejects.toBeInstanceOf(RetryInterruptedError);
    expect(fn.calls).toBe(1);
  });

  it('still makes the first try after shutdown began: a message under way finishes its steps', async () => {
    const shutdown = new AbortController();
    shutdown.abort();
    await expect(withRetries('x', flaky(0), { policy, signal: shutdown.signal })).resolves.toBe('ok');
    const failing = flaky(5);
    await expect(withRetries('x', failing, { policy, signal: shutdown.signal })).rejects.toBeInstanceOf(
      RetryInterruptedError,
    );
    expect(failing.calls).toBe(1);
  });
});

describe('causeChain', () => {
  it('joins the messages of an error and its causes, each once', () => {
    const root = new Error('14 UNAVAILABLE: connect ECONNREFUSED');
    const service = new Error('Update-With-Start failed', { cause: root });
    const exhausted = new RetriesExhaustedError('deciding c-1', 2, { cause: service });
    expect(exhausted.message).toBe(
      'deciding c-1 failed 2 times; last error: Update-With-Start failed: 14 UNAVAILABLE: connect ECONNREFUSED',
    );
    expect(causeChain(exhausted)).toBe(exhausted.message);
    expect(causeChain('plain')).toBe('plain');
  });
});
