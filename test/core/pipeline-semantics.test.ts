import { describe, expect, it } from 'vitest';
import {
  combineInputs,
  settleParallel,
  takeBranchOutput,
  takeCombined,
  takeFallbackAnswer,
  useFallbackDefault,
  type CaseRun,
} from '../../core/pipeline/semantics';
import type { CombineStep, FallbackStep, ParallelStep } from '../../core/pipeline/spec';

const run = (outputs: CaseRun['outputs'] = {}): CaseRun => ({ outputs, notes: [], degraded: false });
const model = (id: string) => ({ id, type: 'model' as const, model: id, timeoutMs: 100, placement: 'local' as const });

describe('step semantics (shared by the decision workflow and the batch scorer)', () => {
  const fallback: FallbackStep = {
    id: 'nn',
    type: 'fallback',
    chain: [model('a'), model('b')],
    default: { score: 0.5 },
  };

  it('takes the first member that answered, naming a fallback that did', () => {
    const r = run({ b: { score: 0.3 } });
    expect(takeFallbackAnswer(r, fallback, 0)).toBe(false);
    expect(takeFallbackAnswer(r, fallback, 1)).toBe(true);
    expect(r.outputs.nn).toEqual({ score: 0.3 });
    expect(r.notes).toEqual(['nn: answered by fallback b']);
  });

  it('uses the default, degraded, blaming the budget only when it ran out', () => {
    const failed = run();
    useFallbackDefault(failed, fallback, false);
    const late = run();
    useFallbackDefault(late, fallback, true);
    expect([failed.outputs.nn, failed.degraded, late.degraded]).toEqual([{ score: 0.5 }, true, true]);
    expect([...failed.notes, ...late.notes]).toEqual([
      'nn: every model failed, used the default',
      'nn: no model answered within the budget, used the default',
    ]);
  });

  it('settles a parallel group on its quorum', () => {
    const group: ParallelStep = { id: 'all', type: 'parallel', quorum: 2, steps: [model('a'), model('b'), model('c')] };
    const met = run({ a: { score: 1 }, c: { score: 0 } });
    settleParallel(met, group);
    expect(met).toMatchObject({ outputs: { all: { answered: ['a', 'c'], missing: ['b'] } }, degraded: true });
    expect(met.notes).toEqual(['all: quorum met without b']);
    const short = run({ a: { score: 1 } });
    settleParallel(short, group);
    expect(short.outputs.all).toBeUndefined();
    expect(short.notes).toEqual(['all: 1 of 3 answered, quorum 2 not met']);
  });

  it('combines the finite scores present, degraded without some', () => {
    const mean: CombineStep = {
      id: 'out',
      type: 'combine',
      method: 'mean',
      inputs: ['a', 'b', 'c'],
      threshold: 0.5,
      quorum: 2,
    };
    const r = run({ a: { score: 0.2 }, b: { score: Number.NaN }, c: { score: 0.6 } });
    const inputs = combineInputs(r, mean);
    expect(inputs?.missing).toEqual(['b']);
    if (inputs) takeCombined(r, mean, inputs.members, inputs.missing);
    expect(r.outputs.out).toEqual({ score: 0.4, used: ['a', 'c'], missing: ['b'] });
    expect(r.notes).toEqual(['out: combined without b']);
    expect(combineInputs(run({ a: { score: 1 } }), mean)).toBeUndefined();
  });

  it("gives a switch the output of its branch's last step", () => {
    const r = run({ x: { score: 0.1 }, y: { score: 0.9 } });
    takeBranchOutput(r, { id: 'route' }, [model('x'), model('y')]);
    expect(r.outputs.route).toEqual({ score: 0.9 });
  });
});
