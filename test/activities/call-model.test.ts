import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallModel, type CallModelOutput } from '../../activities/call-model';
import { LocalLoad } from '../../activities/local-load';
import { loadHoldout, type DemoCase } from '../../cli/demo-cases';
import { Failure } from '../../core/failures';
import type { ModelRuntime } from '../../models/runtime';
import { MemoryCache } from '../../stores/cache';
import { cardRuntime } from '../helpers/models';
import { failureOf } from '../helpers/failures';

const PLACEMENT_BUSY = Failure.Placement.Busy;

let runtime: ModelRuntime;
let callModel: ReturnType<typeof createCallModel>;
let holdout: DemoCase[];
// Failures are the point of some cases here: keep the SDK's activity log quiet.
const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 5000 }, { logger: new DefaultLogger('ERROR') });

beforeAll(async () => {
  runtime = await cardRuntime();
  callModel = createCallModel({ runtime });
  holdout = await loadHoldout();
});
afterAll(() => runtime.close());

describe('callModel activity', () => {
  it.each(['phishing-gb', 'phishing-lr', 'phishing-iforest'])(
    'scores held-out cases with %s like scikit-learn',
    async (name) => {
      for (const c of holdout.slice(0, 20)) {
        const out: CallModelOutput = await env.run(callModel, { model: { name, version: '1' }, input: c.input });
        expect(out.output.score).toBeCloseTo(c.reference[name] ?? Number.NaN, 4);
        expect(out.latencyMs).toBeGreaterThanOrEqual(0);
      }
    },
  );

  it('rejects bad input non-retryably, naming field, expectation and model version', async () => {
    const f = await failureOf(
      env.run(callModel, { model: { name: 'phishing-gb', version: '1' }, input: { https: 'yes' } }),
    );
    expect(f.type).toBe('Model.InvalidInput');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('phishing-gb@1');
    expect(f.message).toMatch(/input\.https: .*expected number/);
    const [issues] = f.details ?? [];
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'input.long_url' })]));
  });

  // A rejected case fails every member of a parallel step: one WARN each, with all its field errors,
  // was the worker log's noise. The SDK logs a benign failure at DEBUG; a model's own failure stays WARN.
  it.each([
    { failure: 'the case\u2019s bad input', model: 'phishing-gb', input: { https: 'yes' }, level: 'DEBUG' },
    { failure: 'an unregistered version', model: 'nope', input: {}, level: 'WARN' },
  ])('logs $failure at $level in the worker log', async ({ model, input, level }) => {
    const entries: LogEntry[] = [];
    const logged = new MockActivityEnvironment(
      { startToCloseTimeoutMs: 5000 },
      { logger: new DefaultLogger('TRACE', (e) => entries.push(e)) },
    );
    await failureOf(logged.run(callModel, { model: { name: model, version: '1' }, input }));
    expect(entries.filter((e) => e.message === 'Activity failed').map((e) => e.level)).toEqual([level]);
  });

  it('fails non-retryably for a version that was never registered', async () => {
    const f = await failureOf(env.run(callModel, { model: { name: 'nope', version: '9' }, input: {} }));
    expect(f.type).toBe('Model.NotFound');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('nope@9');
  });

  it('serves a repeated call from the cache when the step asks for one', async () => {
    const cache = new MemoryCache();
    const cached = createCallModel({ runtime, cache });
    const c = holdout[3] as DemoCase;
    const args = { model: { name: 'phishing-gb', version: '1' }, input: c.input, cacheTtlSeconds: 60 };
    const first: CallModelOutput = await env.run(cached, args);
    const second: CallModelOutput = await env.run(cached, args);
    expect(second.output).toEqual(first.output);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('declines an auto-placed call with Placement.Busy when this worker has no room for the model', async () => {
    const load = new LocalLoad({ maxInFlight: 1 });
    const busy = createCallModel({ runtime, load });
    const c = holdout[4] as DemoCase;
    const model = { name: 'phishing-gb', version: '1' };
    // Hold the only local slot while a second auto call arrives.
    let release: () => void = () => undefined;
    const held = load.track('phishing-gb', () => new Promise<void>((r) => (release = r)));
    const f = await failureOf(env.run(busy, { model, input: c.input, auto: true }));
    expect(f.type).toBe(PLACEMENT_BUSY);
    expect(f.nonRetryable).toBe(true);
    release();
    await held;
    const admitted: CallModelOutput = await env.run(busy, { model, input: c.input, auto: true });
    expect(typeof admitted.output.score).toBe('number');
  });
});

describe('callModel output limits', () => {
  /** A runtime whose every model answers `output`. */
  const answering = (output: Record<string, unknown>) =>
    ({
      adapter: () => Promise.resolve({ predict: () => Promise.resolve({ outputs: [output] }) }),
    }) as unknown as ModelRuntime;
  const model = { name: 'llm', version: '2' };

  it.each([
    ['a NUL in a string', { label: 'ok\u0000' }, 'output.label', 'no-nul'],
    ['a lone surrogate in a key', { ['k\ud800']: 1 }, 'output.k\\ud800', 'no-lone-surrogate'],
    ['more bytes than a case may have', { text: 'x'.repeat(300 * 1024) }, '(root)', 'max-bytes'],
  ])('refuses %s non-retryably as Model.InvalidOutput, naming the path and rule', async (_name, output, path, rule) => {
    const f = await failureOf(env.run(createCallModel({ runtime: answering(output) }), { model, input: {} }));
    expect(f.type).toBe(Failure.Model.InvalidOutput);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('llm@2: output refused');
    const [issues] = f.details ?? [];
    expect(issues).toEqual([expect.objectContaining({ path, rule })]);
  });

  it('holds outputs to the configured limits, and passes an output within them', async () => {
    const output = { score: 0.4, vector: Array.from({ length: 3072 }, (_, i) => i / 3072) };
    const out: CallModelOutput = await env.run(createCallModel({ runtime: answering(output) }), { model, input: {} });
    expect(out.output).toEqual(output);
    const tight = createCallModel({ runtime: answering(output), caseLimits: { maxFields: 1, maxBytes: 1024 } });
    expect((await failureOf(env.run(tight, { model, input: {} }))).type).toBe(Failure.Model.InvalidOutput);
  });
});
