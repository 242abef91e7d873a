import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Failure } from '../../core/failures';
import type { ModelVersion } from '../../core/model-version';
import type { InvokeOptions, ModelAdapter } from '../../models/adapter';
import { CircuitBreakers, type BreakerOptions } from '../../models/circuit-breaker';
import { failureOf } from '../helpers/failures';

const ModelFailureType = Failure.Model;
const CIRCUIT_OPEN = Failure.Model.CircuitOpen;

type Behavior = 'succeed' | 'unavailable' | 'invalid-input';

const failures: Record<Exclude<Behavior, 'succeed'>, () => ApplicationFailure> = {
  unavailable: () => ApplicationFailure.create({ type: ModelFailureType.Unavailable, message: 'connection refused' }),
  'invalid-input': () =>
    ApplicationFailure.create({
      type: ModelFailureType.InvalidInput,
      message: 'amount: expected number',
      nonRetryable: true,
    }),
};

function version(name: string, v = '1'): ModelVersion {
  return {
    name,
    version: v,
    kind: 'http-json',
    uri: 'http://127.0.0.1:1',
    config: {},
    inputSchema: {},
    outputSchema: {},
    metrics: {},
    createdAt: new Date(0).toISOString(),
    deprecatedAt: null,
    deprecationReason: null,
  };
}

interface Fake {
  /** Calls that reached the model. */
  calls: number;
  behavior: Behavior;
  /** Thrown by the next call instead of `behavior`. */
  next: Error | undefined;
  adapter: ModelAdapter;
}

/** An adapter that does what `behavior` says (or throws `next` once) and counts the calls that reach it. */
function fakeAdapter(name = 'scorer', v = '1'): Fake {
  const fake: Fake = {
    calls: 0,
    behavior: 'succeed',
    next: undefined,
    adapter: {
      version: version(name, v),
      probe: () => Promise.resolve(),
      close: () => Promise.resolve(),
      predict(inputs) {
        fake.calls += 1;
        const thrown = fake.next ?? (fake.behavior === 'succeed' ? undefined : failures[fake.behavior]());
        fake.next = undefined;
        return thrown ? Promise.reject(thrown) : Promise.resolve({ outputs: inputs.map(() => ({ score: 0.5 })) });
      },
    },
  };
  return fake;
}

// Through the global setTimeout, so vi.useFakeTimers() controls it too (node:timers/promises it does not).
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const soon = (): InvokeOptions => ({ deadline: Date.now() + 5_000 });
const call = (adapter: ModelAdapter, options: InvokeOptions = soon()) => adapter.predict([{ amount: 1 }], options);

async function callTimes(adapter: ModelAdapter, n: number, options: () => InvokeOptions = soon): Promise<void> {
  for (let i = 0; i < n; i++) await call(adapter, options()).catch(() => undefined);
}

const FAST: Partial<BreakerOptions> = { volumeThreshold: 5, resetTimeout: 100 };
let breakers: CircuitBreakers;
const make = (options: Partial<BreakerOptions> = FAST) => (breakers = new CircuitBreakers(options));

afterEach(() => {
  breakers?.shutdown();
  vi.useRealTimers();
});

describe('CircuitBreakers', () => {
  it('opens after volumeThreshold failing calls, then fails fast with Model.CircuitOpen without calling the model', async () => {
    const fake = fakeAdapter();
    const wrapped = make().wrap(fake.adapter);
    fake.behavior = 'unavailable';
    await callTimes(wrapped, 4);
    expect(breakers.state('scorer@1').state).toBe('closed');
    await callTimes(wrapped, 1);
    expect(fake.calls).toBe(5);

    const failure = await failureOf(call(wrapped));
    expect(fake.calls).toBe(5);
    expect(failure.type).toBe(CIRCUIT_OPEN);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^model scorer@1 is failing \(circuit open since .+, retry after ~\d+ ms\)$/);
    const state = breakers.state('scorer@1');
    expect(state).toMatchObject({ state: 'open', failures: 5, successes: 0 });
    const [details] = failure.details as [{ openedAt: string; retryAfterMs: number }];
    expect(details.openedAt).toBe(state.openedAt);
    expect(details.retryAfterMs).toBeGreaterThan(0);
    expect(details.retryAfterMs).toBeLessThanOrEqual(100);
  });

  const aborted = () => {
    const controller = new AbortController();
    controller.abort();
    return controller.signal;
  };
  const failure = (type: string, nonRetryable = false) =>
    ApplicationFailure.create({ type, message: type, nonRetryable });
  it.each([
    { what: 'Model.Unavailable', thrown: () => failure(ModelFailureType.Unavailable), opens: true },
    { what: 'Model.Timeout', thrown: () => failure(ModelFailureType.Timeout), opens: true },
    { what: 'Model.RateLimited', thrown: () => failure(ModelFailureType.RateLimited), opens: true },
    { what: 'Model.Failed', thrown: () => failure(ModelFailureType.Failed), opens: true },
    { what: 'non-retryable Model.BadResponse', thrown: () => failure(ModelFailureType.BadResponse, true), opens: true },
    { what: 'a plain Error (an adapter bug)', thrown: () => new Error('undefined is not a function'), opens: true },
    { what: 'Model.InvalidInput', thrown: () => failure(ModelFailureType.InvalidInput, true), opens: false },
    { what: 'non-retryable Model.Rejected', thrown: () => failure(ModelFailureType.Rejected, true), opens: false },
    { what: 'Model.InvalidConfig', thrown: () => failure(ModelFailureType.InvalidConfig, true), opens: false },
    { what: 'Model.Cancelled', thrown: () => failure('Model.Cancelled', true), opens: false },
    {
      what: 'a Model.Unavailable after the caller aborted',
      thrown: () => failure(ModelFailureType.Unavailable),
      options: () => ({ deadline: Date.now() + 5_000, signal: aborted() }),
      opens: false,
    },
    {
      what: 'a Model.Timeout on a deadline spent before the call',
      thrown: () => failure(ModelFailureType.Timeout),
      options: () => ({ deadline: Date.now() - 1 }),
      opens: false,
    },
  ])('$what: opens it = $opens', async ({ thrown, options, opens }) => {
    const fake = fakeAdapter();
    const wrapped = make().wrap(fake.adapter);
    for (let i = 0; i < 20; i++) {
      fake.next = thrown();
      await call(wrapped, options?.() ?? soon()).catch(() => undefined);
    }
    expect(breakers.state('scorer@1').state).toBe(opens ? 'open' : 'closed');
    // Open, it stops calling the model after the 5th failure; closed, every bad case still reaches it.
    expect(fake.calls).toBe(opens ? 5 : 20);
  });

  it('input errors mixed with successes never open it, whatever their share', async () => {
    const fake = fakeAdapter();
    const wrapped = make().wrap(fake.adapter);
    for (let i = 0; i < 30; i++) {
      fake.behavior = i % 3 === 0 ? 'succeed' : 'invalid-input';
      await call(wrapped).catch(() => undefined);
    }
    expect(breakers.state('scorer@1')).toMatchObject({ state: 'closed', failures: 0 });
    expect(fake.calls).toBe(30);
  });

  it.each([
    { trial: 'succeed' as const, after: 'closed', nextReachesModel: true },
    { trial: 'unavailable' as const, after: 'open', nextReachesModel: false },
  ])('after resetTimeout, a half-open trial that does $trial leaves it $after', async (c) => {
    const fake = fakeAdapter();
    const wrapped = make().wrap(fake.adapter);
    fake.behavior = 'unavailable';
    await callTimes(wrapped, 5);
    const firstOpened = breakers.state('scorer@1').openedAt;
    expect(firstOpened).toBeDefined();

    await sleep(150);
    expect(breakers.state('scorer@1').state).toBe('half-open');
    fake.behavior = c.trial;
    await call(wrapped).catch(() => undefined);
    expect(fake.calls).toBe(6);
    const state = breakers.state('scorer@1');
    expect(state.state).toBe(c.after);
    if (c.after === 'open') expect(Date.parse(state.openedAt ?? '')).toBeGreaterThan(Date.parse(firstOpened ?? ''));
    else expect(state.openedAt).toBeUndefined();

    fake.behavior = 'succeed';
    const next = await call(wrapped).then(
      () => 'answered',
      (e: ApplicationFailure) => e.type,
    );
    expect(next).toBe(c.nextReachesModel ? 'answered' : CIRCUIT_OPEN);
    expect(fake.calls).toBe(c.nextReachesModel ? 7 : 6);
  });

  it('keeps one breaker per version: a failing version does not open another', async () => {
    const failing = fakeAdapter('scorer', '1');
    const healthy = fakeAdapter('scorer', '2');
    make();
    const [v1, v2] = [breakers.wrap(failing.adapter), breakers.wrap(healthy.adapter)];
    failing.behavior = 'unavailable';
    await callTimes(v1, 6);
    await expect(call(v2)).resolves.toEqual({ outputs: [{ score: 0.5 }] });

    expect(breakers.states()).toEqual({
      'scorer@1': expect.objectContaining({ state: 'open', failures: 5 }) as unknown,
      'scorer@2': { state: 'closed', failures: 0, successes: 1 },
    });
    // A second wrap of the same version shares its breaker.
    expect((await failureOf(call(breakers.wrap(failing.adapter)))).type).toBe(CIRCUIT_OPEN);
  });

  it.each([
    {
      what: 'a retryable Model.RateLimited with nextRetryDelay',
      thrown: () =>
        ApplicationFailure.create({ type: ModelFailureType.RateLimited, message: 'HTTP 429', nextRetryDelay: '2s' }),
    },
    { what: 'a non-retryable Model.InvalidInput', thrown: failures['invalid-input'] },
  ])('rethrows $what unchanged', async ({ thrown }) => {
    const fake = fakeAdapter();
    const wrapped = make().wrap(fake.adapter);
    const original = thrown();
    fake.next = original;
    const got = await failureOf(call(wrapped));
    expect(got).toBe(original);
    expect([got.type, got.nonRetryable, got.nextRetryDelay]).toEqual([
      original.type,
      original.nonRetryable,
      original.nextRetryDelay,
    ]);
  });

  it('leaves deadlines to the adapter: no opossum timeout cuts a slow call short', async () => {
    vi.useFakeTimers();
    const fake = fakeAdapter();
    const slow: ModelAdapter = {
      ...fake.adapter,
      predict: (inputs, options) => sleep(30_000).then(() => fake.adapter.predict(inputs, options)),
    };
    const answer = call(make().wrap(slow), { deadline: Date.now() + 60_000 });
    await vi.advanceTimersByTimeAsync(30_000);
    await expect(answer).resolves.toEqual({ outputs: [{ score: 0.5 }] });
  });

  it('shutdown() clears every timer, open breakers included', async () => {
    vi.useFakeTimers();
    const [failing, healthy] = [fakeAdapter('scorer', '1'), fakeAdapter('scorer', '2')];
    make({ ...FAST, resetTimeout: 60_000 });
    failing.behavior = 'unavailable';
    await callTimes(breakers.wrap(failing.adapter), 5);
    await callTimes(breakers.wrap(healthy.adapter), 1);
    expect(breakers.state('scorer@1').state).toBe('open');
    // Each breaker's rolling-window interval, and the open one's reset timer.
    expect(vi.getTimerCount()).toBe(3);

    breakers.shutdown();
    expect(vi.getTimerCount()).toBe(0);
    expect(breakers.states()).toEqual({});
  });
});
