import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { quickCompare } from '../../core/pipeline/quick-compare';

const scope = {
  case: { amount: 120, country: 'NL', nested: { depth: 2 } },
  steps: {
    anomaly: { score: 0.15 },
    gb: { score: 0.1 },
    zero: { score: 0 },
    text: { score: '0.9' },
    list: { score: [1] },
  },
};

// Expressions it answers: the answer must be jsonata's.
const answered = [
  'steps.anomaly.score > 0.1',
  'steps.anomaly.score>0.1',
  '  steps.anomaly.score >= 0.15 ',
  'steps.gb.score > 0.1',
  'steps.gb.score >= 0.1',
  'steps.gb.score < 0.1',
  'steps.gb.score <= 0.1',
  'steps.gb.score = 0.1',
  'steps.gb.score != 0.1',
  'steps.zero.score = 0',
  'steps.zero.score > -1',
  'case.amount >= 100',
  'case.nested.depth = 2',
];

// Left to jsonata: another form, or a path that holds no number.
const declined = [
  'steps.missing.score > 0.1',
  'steps.text.score > 0.1',
  'steps.list.score > 0.1',
  'case.country = "NL"',
  'steps.anomaly.score > 0.1 and steps.gb.score < 0.5',
  '$max([steps.gb.score, steps.anomaly.score]) > 0.1',
  'steps.anomaly.score > 1e-1',
  'steps.anomaly.score > .1',
  'steps.and.score > 0.1',
  '0.1 < steps.anomaly.score',
  'steps.anomaly.score in [0.15]',
];

describe('quickCompare', () => {
  it.each(answered)('answers %s as jsonata does', async (expression) => {
    const quick = quickCompare(expression, scope);
    expect(quick).toBeTypeOf('boolean');
    expect(quick).toBe(await jsonata(expression).evaluate(scope));
  });

  it.each(declined)('leaves %s to jsonata', (expression) => {
    expect(quickCompare(expression, scope)).toBeUndefined();
  });

  it('is exact at the boundary, as jsonata is (no rounding of the literal)', async () => {
    for (const score of [0.1, 0.1 + Number.EPSILON, 0.30000000000000004, 0.3]) {
      const s = { steps: { x: { score } } };
      for (const expression of ['steps.x.score > 0.1', 'steps.x.score = 0.3', 'steps.x.score <= 0.3']) {
        expect(quickCompare(expression, s), `${expression} at ${score}`).toBe(await jsonata(expression).evaluate(s));
      }
    }
  });
});
