import { describe, expect, it } from 'vitest';
import { combineScores } from '../../core/pipeline/combine';
import { runBatchPipeline, type BatchCallError, type BatchPredict, type RowResult } from '../../core/pipeline/batch';
import { rowsOfIssues } from '../../core/pipeline/batch-rows';
import { modelRefsOf } from '../../core/pipeline/check';
import { PipelineSpecSchema, type CombineStep, type PipelineSpecInput } from '../../core/pipeline/spec';
import type { PinnedPipeline } from '../../core/pipeline/types';

type Row = Record<string, unknown>;
type Fake = ((row: Row) => Row) | { fail: BatchCallError };

/** Fake models by name; records every batched call (model and row count). */
function models(fakes: Record<string, Fake>) {
  const calls: { model: string; rows: Row[] }[] = [];
  const predict: BatchPredict = (model, _step, rows) => {
    calls.push({ model: model.name, rows: [...rows] });
    const fake = fakes[model.name];
    if (!fake) throw new Error(`no fake ${model.name}`);
    if ('fail' in fake) return Promise.resolve({ ok: false, error: fake.fail, latencyMs: 1 });
    // Like models/validate.ts: a row whose x is no number is refused, naming the row.
    const bad = rows.flatMap((r, i) => (typeof r.x === 'number' || r.x === undefined ? [] : [i]));
    if (bad.length > 0) {
      const path = (i: number) => (rows.length === 1 ? 'input.x' : `inputs.${i}.x`);
      const issues = bad.map((i) => ({ path: path(i), message: 'expected number' }));
      return Promise.resolve({
        ok: false,
        error: { type: 'Model.InvalidInput', message: 'bad', issues },
        latencyMs: 1,
      });
    }
    return Promise.resolve({ ok: true, outputs: rows.map(fake), latencyMs: 1 });
  };
  return { predict, calls, callsOf: (name: string) => calls.filter((c) => c.model === name) };
}

function pinned(spec: PipelineSpecInput): PinnedPipeline {
  const parsed = PipelineSpecSchema.parse(spec);
  const pins = Object.fromEntries(
    modelRefsOf(parsed).map((ref) => [ref, { name: ref.split(/[:@]/)[0] ?? ref, version: '1' }]),
  );
  return { name: parsed.name, version: '3', spec: parsed, pins };
}

const rowsOf = (...xs: unknown[]): Row[] => xs.map((x) => ({ x }));
const scoreOf = (r: RowResult | undefined) => (r?.kind === 'scored' ? r.score : undefined);
const byX = (f: (x: number) => number) => (row: Row) => ({ score: f(Number(row.x)) });
const fails = (message: string): Fake => ({ fail: { type: 'Model.Unavailable', message } });
const pair = {
  id: 'both',
  type: 'parallel' as const,
  steps: [
    { id: 'a', type: 'model' as const, model: 'ma' },
    { id: 'b', type: 'model' as const, model: 'mb' },
  ],
};

describe('runBatchPipeline', () => {
  it.each([
    ['mean', {}],
    ['max', {}],
    ['min', {}],
    ['vote', { threshold: 0.3 }],
    ['weighted-mean', { weights: { a: 3, b: 1 } }],
  ] as const)('calls each model once for the chunk and combines by %s per row', async (method, extra) => {
    const m = models({ ma: byX((x) => x), mb: byX((x) => x / 2) });
    const spec = pinned({
      name: 'p',
      steps: [pair, { id: 'out', type: 'combine', method, inputs: ['a', 'b'], ...extra }],
      output: 'out',
    });
    const inputs = rowsOf(0.2, 0.5, 0.9);
    const { rows, calls } = await runBatchPipeline(spec, inputs, m.predict);
    expect(m.calls.map((c) => [c.model, c.rows.length]).sort()).toEqual([
      ['ma', 3],
      ['mb', 3],
    ]);
    expect(calls).toHaveLength(2);
    const step = spec.spec.steps[1] as CombineStep;
    expect(rows.map(scoreOf)).toEqual(
      [0.2, 0.5, 0.9].map((x) =>
        combineScores(step, [
          { id: 'a', score: x },
          { id: 'b', score: x / 2 },
        ]),
      ),
    );
    expect(rows[0]).toMatchObject({ kind: 'scored', degraded: false, notes: [] });
  });

  it.each([
    ['a comparison answered without jsonata', 'steps.a.score > 0.5'],
    ['an expression only jsonata answers', 'steps.a.score > 0.5 and $exists(case.x)'],
  ])('routes each row down its own switch branch, each branch called once for its rows (%s)', async (_, when) => {
    const m = models({ ma: byX((x) => x), mb: byX((x) => 1 - x), mc: byX(() => 0.42) });
    const spec = pinned({
      name: 'p',
      steps: [
        pair,
        {
          id: 'route',
          type: 'switch',
          cases: [
            {
              when,
              steps: [
                { id: 'extra', type: 'model', model: 'mc' },
                { id: 'hi', type: 'combine', method: 'max', inputs: ['a', 'b', 'extra'] },
              ],
            },
          ],
          default: [{ id: 'lo', type: 'combine', method: 'min', inputs: ['a', 'b'] }],
        },
      ],
      output: 'route',
    });
    const { rows } = await runBatchPipeline(spec, rowsOf(0.1, 0.7, 0.3, 0.8), m.predict);
    expect(m.callsOf('mc')).toEqual([{ model: 'mc', rows: rowsOf(0.7, 0.8) }]);
    expect(rows.map(scoreOf)).toEqual([0.1, 0.7, 0.3, 0.8]);
    expect(rows.every((r) => r.kind === 'scored' && !r.degraded)).toBe(true);
  });

  it.each([
    [
      'the next model answers',
      { m1: fails('down'), m2: byX(() => 0.3) },
      0.3,
      false,
      ['first: m1@1 failed (down)', 'fb: answered by fallback second'],
    ],
    [
      'every model fails: the default',
      { m1: fails('down'), m2: fails('also down') },
      0.5,
      true,
      ['first: m1@1 failed (down)', 'second: m2@1 failed (also down)', 'fb: every model failed, used the default'],
    ],
  ] as const)('falls back per row when %s', async (_what, fakes, score, degraded, notes) => {
    const m = models(fakes);
    const spec = pinned({
      name: 'p',
      steps: [
        {
          id: 'fb',
          type: 'fallback',
          chain: [
            { id: 'first', type: 'model', model: 'm1' },
            { id: 'second', type: 'model', model: 'm2' },
          ],
          default: { score: 0.5 },
        },
      ],
      output: 'fb',
    });
    const { rows } = await runBatchPipeline(spec, rowsOf(0.1, 0.2), m.predict);
    for (const row of rows) {
      expect(row).toMatchObject({ kind: 'scored', score, degraded });
      if (row.kind === 'scored') expect(row.notes).toEqual(notes);
    }
  });

  it('rejects only the rows a model refuses, and asks again for the rest', async () => {
    const m = models({ ma: byX((x) => x), mb: byX((x) => x) });
    const spec = pinned({
      name: 'p',
      steps: [pair, { id: 'out', type: 'combine', method: 'mean', inputs: ['a', 'b'] }],
      output: 'out',
    });
    const { rows } = await runBatchPipeline(spec, rowsOf(0.2, 'bad', 0.6), m.predict);
    expect(rows[1]).toEqual({ kind: 'rejected', issues: [{ path: 'input.x', message: 'expected number' }] });
    expect(rows.map(scoreOf)).toEqual([0.2, undefined, 0.6]);
    expect(m.callsOf('ma').map((c) => c.rows.length)).toEqual([3, 2]);
  });

  it('feeds a stacking meta-model each row of member scores in one call', async () => {
    const m = models({ ma: byX((x) => x), mb: byX(() => 0.5), meta: (r) => ({ score: Number(r.a) + Number(r.b) }) });
    const spec = pinned({
      name: 'p',
      steps: [pair, { id: 'out', type: 'combine', method: 'stacking', model: 'meta', inputs: ['a', 'b'] }],
      output: 'out',
    });
    const { rows } = await runBatchPipeline(spec, rowsOf(0.1, 0.2), m.predict);
    expect(m.callsOf('meta')).toEqual([
      {
        model: 'meta',
        rows: [
          { a: 0.1, b: 0.5 },
          { a: 0.2, b: 0.5 },
        ],
      },
    ]);
    expect(rows.map(scoreOf)).toEqual([0.6, 0.7]);
  });

  it.each([
    ['met without a member: degraded', 1, undefined, { kind: 'scored', score: 0.4, degraded: true }],
    [
      'not met, onDeadline: its score',
      2,
      { score: 0.5, reason: 'no quorum' },
      { kind: 'scored', score: 0.5, degraded: true },
    ],
    ['not met, no onDeadline: no result', 2, undefined, { kind: 'failed', error: { type: 'Pipeline.NoResult' } }],
  ] as const)('applies quorums per row: %s', async (_what, quorum, onDeadline, expected) => {
    const m = models({ ma: byX(() => 0.4), mb: fails('down') });
    const spec = pinned({
      name: 'p',
      steps: [
        { ...pair, quorum: 1 },
        { id: 'out', type: 'combine', method: 'mean', inputs: ['a', 'b'], quorum },
      ],
      output: 'out',
      ...(onDeadline ? { onDeadline } : {}),
    });
    const { rows } = await runBatchPipeline(spec, rowsOf(0.1), m.predict);
    expect(rows[0]).toMatchObject(expected);
    if (rows[0]?.kind === 'scored') expect(rows[0].notes[0]).toBe('b: mb@1 failed (down)');
  });

  it('fails only the row whose input mapping fails', async () => {
    const m = models({ ma: byX((x) => x) });
    const spec = pinned({
      name: 'p',
      steps: [{ id: 'a', type: 'model', model: 'ma', input: '{ "x": $number(case.s) }' }],
      output: 'a',
    });
    const { rows } = await runBatchPipeline(spec, [{ s: '0.25' }, { s: 'abc' }], m.predict);
    expect(rows[0]).toMatchObject({ kind: 'scored', score: 0.25 });
    expect(rows[1]).toMatchObject({ kind: 'failed', error: { type: 'Pipeline.ExpressionFailed' } });
    expect(m.calls).toHaveLength(1);
  });
});

describe('rowsOfIssues', () => {
  it('maps batch and single-row paths to rows, as a single call would name them', () => {
    const issues = [
      { path: 'inputs.2.https', message: 'expected number' },
      { path: 'inputs.0', message: 'expected object' },
      { path: 'inputs.9.x', message: 'out of range' },
    ];
    expect([...rowsOfIssues(issues, 3)]).toEqual([
      [2, [{ path: 'input.https', message: 'expected number' }]],
      [0, [{ path: 'input', message: 'expected object' }]],
    ]);
    expect([...rowsOfIssues([{ path: 'input.https', message: 'm' }], 1)]).toEqual([
      [0, [{ path: 'input.https', message: 'm' }]],
    ]);
  });
});
