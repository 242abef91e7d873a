import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPERATOR_DECORATORS, OPERATORS, validateRuleSet } from '../../core/rules/check';
import { evaluateRules, renderReason } from '../../core/rules/evaluate';
import { buildFacts, type FactsInput, type SimilarFact } from '../../core/rules/facts';
import type { RuleSetSpec } from '../../core/rules/spec';
import { PROJECT_ROOT } from '../../config/env';

const rule = (extra: Record<string, unknown> = {}) => ({
  name: 'r',
  when: { fact: 'score', operator: 'greaterThan', value: 0.5 },
  outcome: 'review',
  reason: 'score {score}',
  ...extra,
});
const ruleSet = (rules: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'test',
  rules,
  default: { outcome: 'approve', reason: 'nothing matched' },
  ...extra,
});
const leaf = (fact: string, path: string | undefined, operator = 'greaterThan', value: unknown = 0.5) => ({
  fact,
  ...(path === undefined ? {} : { path }),
  operator,
  value,
});

describe('validateRuleSet', () => {
  it.each([
    ['a missing default', { name: 'test', rules: [] }, 'default', 'expected object'],
    ['an unknown outcome', ruleSet([rule({ outcome: 'block' })]), 'rules.0.outcome', 'expected one of'],
    ['a misspelt field', ruleSet([rule({ priorty: 2 })]), 'rules.0.priorty', 'unknown field'],
    ['a priority below 1', ruleSet([rule({ priority: 0 })]), 'rules.0.priority', '>=1'],
    [
      'two kinds in one condition',
      ruleSet([rule({ when: { all: [], fact: 'score' } })]),
      'rules.0.when',
      'exactly one',
    ],
    ['an empty all', ruleSet([rule({ when: { all: [] } })]), 'rules.0.when.all', '>=1'],
    [
      'a comparison without operator',
      ruleSet([rule({ when: { fact: 'score', value: 1 } })]),
      'rules.0.when.operator',
      'required',
    ],
    [
      'a path on all',
      ruleSet([rule({ when: { all: [leaf('score', undefined)], path: '$.x' } })]),
      'rules.0.when.path',
      'only with fact',
    ],
    [
      'an unknown fact',
      ruleSet([rule({ when: { all: [leaf('scor', undefined)] } })]),
      'rules.0.when.all.0.fact',
      "unknown fact 'scor'",
    ],
    [
      'an unknown models field',
      ruleSet([rule({ when: leaf('models', '$.gb.prob') })]),
      'rules.0.when.path',
      'models has score, model, version',
    ],
    [
      'models without a field',
      ruleSet([rule({ when: leaf('models', '$.gb') })]),
      'rules.0.when.path',
      'models.<step>.<field>',
    ],
    [
      'models without a path',
      ruleSet([rule({ when: leaf('models', undefined) })]),
      'rules.0.when.path',
      'models.<step>.<field>',
    ],
    [
      'an unknown similar field',
      ruleSet([rule({ when: { any: [leaf('similar', '$.declined')] } })]),
      'rules.0.when.any.0.path',
      'similar has count, declineRate',
    ],
    [
      'a non-identifier case field',
      ruleSet([rule({ when: leaf('case', '$.request-from') })]),
      'rules.0.when.path',
      'case field names must be identifiers',
    ],
    ['a JSONPath expression', ruleSet([rule({ when: leaf('case', '$..https') })]), 'rules.0.when.path', 'identifiers'],
    [
      'a path without $.',
      ruleSet([rule({ when: leaf('similar', 'declineRate') })]),
      'rules.0.when.path',
      'starts with $.',
    ],
    [
      'a path on a plain value',
      ruleSet([rule({ when: { not: leaf('score', '$.value') } })]),
      'rules.0.when.not.path',
      'has no fields',
    ],
    [
      'an unknown pipeline field',
      ruleSet([rule({ when: leaf('pipeline', '$.id', 'equal', 'demo') })]),
      'rules.0.when.path',
      'pipeline has name, version',
    ],
    [
      'an unknown operator',
      ruleSet([rule({ when: leaf('score', undefined, 'gte') })]),
      'rules.0.when.operator',
      "unknown operator 'gte'",
    ],
    [
      'an unknown decorator',
      ruleSet([rule({ when: leaf('score', undefined, 'often:equal') })]),
      'rules.0.when.operator',
      'unknown operator',
    ],
    [
      'a number compared with text',
      ruleSet([rule({ when: leaf('score', undefined, 'greaterThan', '0.8') })]),
      'rules.0.when.operator',
      'compares numbers',
    ],
    [
      'in without a list',
      ruleSet([rule({ when: leaf('case', '$.https', 'in', 1) })]),
      'rules.0.when.operator',
      'needs a list',
    ],
    [
      'an unknown fact as value',
      ruleSet([rule({ when: leaf('score', undefined, 'greaterThan', { fact: 'models', path: '$.gb.odds' }) })]),
      'rules.0.when.value.path',
      'models has score',
    ],
    [
      'a boolean compared with text',
      ruleSet([rule({ when: leaf('degraded', undefined, 'equal', 'true') })]),
      'rules.0.when.operator',
      'degraded is a boolean; "true" is a string',
    ],
    [
      'text compared as a number',
      ruleSet([rule({ when: leaf('pipeline', '$.name', 'greaterThan', 1) })]),
      'rules.0.when.operator',
      'greaterThan compares numbers; pipeline.name is a string',
    ],
    [
      'a list with a value of the wrong type',
      ruleSet([rule({ when: leaf('similar', '$.count', 'notIn', [0, 'none']) })]),
      'rules.0.when.operator',
      'similar.count is a number; "none" is a string',
    ],
    [
      'a value-walking decorator',
      ruleSet([rule({ when: leaf('case', '$.tags', 'someValue:equal', ['a']) })]),
      'rules.0.when.operator',
      "unknown operator 'someValue:equal'",
    ],
    [
      'a fact as the list of in',
      ruleSet([rule({ when: leaf('score', undefined, 'in', { fact: 'case', path: '$.scores' }) })]),
      'rules.0.when.operator',
      'in needs a list written out',
    ],
    ['a duplicate rule name', ruleSet([rule(), rule()]), 'rules.1.name', "duplicate rule name 'r'"],
    [
      'a placeholder for an unknown fact',
      ruleSet([rule({ reason: 'risk {risk}' })]),
      'rules.0.reason',
      "placeholder {risk}: unknown fact 'risk'",
    ],
    [
      'a placeholder for an unknown path',
      ruleSet([rule({ reason: 'rate {similar.rate}' })]),
      'rules.0.reason',
      'similar has count',
    ],
    [
      'a placeholder that is not a path',
      ruleSet([rule({ reason: 'score { score }' })]),
      'rules.0.reason',
      'is not a fact path',
    ],
    [
      'a placeholder in the default',
      ruleSet([], { default: { outcome: 'approve', reason: '{models.gb}' } }),
      'default.reason',
      'models.<step>.<field>',
    ],
  ])('rejects %s', (_, raw, path, message) => {
    const result = validateRuleSet(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toContainEqual({ path, message: expect.stringContaining(message) as string });
  });

  it('lists every problem at once', () => {
    const raw = ruleSet([
      rule({ when: { all: [leaf('scor', undefined), leaf('score', undefined, 'gte')] }, reason: '{x}' }),
      rule(),
    ]);
    const result = validateRuleSet(raw);
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual([
      'rules.0.when.all.0.fact',
      'rules.0.when.all.1.operator',
      'rules.0.reason',
      'rules.1.name',
    ]);
  });

  it.each([
    ['a single comparison', rule()],
    ['a case field of any type', rule({ when: leaf('case', '$.https', 'equal', 'yes') })],
    ['a comparison with null', rule({ when: leaf('similar', '$.labelledFraudRate', 'equal', null) })],
    ['a decorated operator', rule({ when: leaf('case', '$.https', 'not:equal', 1) })],
    ['a list fact read element by element', rule({ when: leaf('case', '$.tags', 'someFact:in', ['x', 'y']) })],
    ['a fact as the value', rule({ when: leaf('models', '$.gb.score', 'greaterThan', { fact: 'score' }) })],
    [
      'nested conditions',
      rule({
        when: {
          any: [{ not: leaf('degraded', undefined, 'equal', true) }, { all: [leaf('case', '$.a.b', 'in', [1, 2])] }],
        },
      }),
    ],
  ])('accepts %s', (_, r) => {
    expect(validateRuleSet(ruleSet([r]))).toMatchObject({ ok: true });
  });
});

const similar = (declineRate: number, count = 5): SimilarFact => ({
  count,
  declineRate,
  reviewRate: 0.2,
  topScore: 0.93,
});
const facts = (score: number, extra: Partial<FactsInput> = {}) =>
  buildFacts({
    score,
    degraded: false,
    calls: [
      { step: 'gb', model: 'phishing-gb', version: '1', score },
      { step: 'anomaly', model: 'phishing-iforest', version: '1', score: 0.05 },
    ],
    input: { https: 1 },
    pipeline: { name: 'demo', version: '3' },
    ...extra,
  });
const anomaly = (score: number | null) => [{ step: 'anomaly', model: 'phishing-iforest', version: '1', score }];

describe('the demo rule set', () => {
  let demo: RuleSetSpec;
  beforeAll(async () => {
    const result = validateRuleSet(parse(await readFile(join(PROJECT_ROOT, 'demo', 'rules', 'demo.yaml'), 'utf8')));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    demo = result.spec;
  });

  it.each([
    [
      'a high score',
      facts(0.93),
      'decline',
      ['high-risk', 'borderline'],
      ['risk score 0.930 ≥ 0.8', 'risk score 0.930 ≥ 0.4'],
    ],
    [
      'exactly 0.8',
      facts(0.8),
      'decline',
      ['high-risk', 'borderline'],
      ['risk score 0.800 ≥ 0.8', 'risk score 0.800 ≥ 0.4'],
    ],
    [
      'a risky case like past declines',
      facts(0.65, { similar: similar(0.6) }),
      'decline',
      ['risky-like-past-declines', 'borderline'],
      [
        'risk score 0.650 ≥ 0.6 and 5 similar past cases have a decline rate of 0.600 (≥ 0.5)',
        'risk score 0.650 ≥ 0.4',
      ],
    ],
    [
      'a risky case unlike past declines',
      facts(0.65, { similar: similar(0.4) }),
      'review',
      ['borderline'],
      ['risk score 0.650 ≥ 0.4'],
    ],
    ['a risky case with no similarity search', facts(0.65), 'review', ['borderline'], ['risk score 0.650 ≥ 0.4']],
    [
      'past declines but a low score',
      facts(0.3, { similar: similar(0.9) }),
      'approve',
      [],
      ['risk score 0.300 < 0.4 and nothing unusual'],
    ],
    ['exactly 0.4', facts(0.4), 'review', ['borderline'], ['risk score 0.400 ≥ 0.4']],
    [
      'a degraded low score',
      facts(0.2, { degraded: true }),
      'review',
      ['degraded'],
      ['scored with models missing or past the latency budget, so a person should confirm'],
    ],
    [
      'a degraded high score',
      facts(0.9, { degraded: true }),
      'decline',
      ['high-risk', 'degraded', 'borderline'],
      [
        'risk score 0.900 ≥ 0.8',
        'scored with models missing or past the latency budget, so a person should confirm',
        'risk score 0.900 ≥ 0.4',
      ],
    ],
    [
      'an anomalous page with a low score',
      facts(0.1, { calls: anomaly(0.31) }),
      'review',
      ['anomalous-page'],
      ['anomaly score 0.310 > 0.15, the page is unlike legitimate ones'],
    ],
    [
      'an anomaly score of exactly 0.15',
      facts(0.1, { calls: anomaly(0.15) }),
      'approve',
      [],
      ['risk score 0.100 < 0.4 and nothing unusual'],
    ],
    [
      'a failed anomaly detector',
      facts(0.1, { calls: anomaly(null) }),
      'approve',
      [],
      ['risk score 0.100 < 0.4 and nothing unusual'],
    ],
    ['a low score', facts(0.12), 'approve', [], ['risk score 0.120 < 0.4 and nothing unusual']],
  ])('%s', async (_, f, outcome, matched, reasons) => {
    expect(await evaluateRules(demo, f)).toEqual({ outcome, matched, reasons });
  });

  it('gives the same answer for the same facts, sequentially and concurrently', async () => {
    const cases = [0.93, 0.65, 0.45, 0.1].map((s) => facts(s, { similar: similar(0.7), calls: anomaly(0.2) }));
    const first = [];
    for (const f of cases) first.push(await evaluateRules(demo, f));
    const second = [];
    for (const f of cases) second.push(await evaluateRules(demo, f));
    // One shared json-rules-engine Engine would cut overlapping runs short; evaluateRules must not.
    const concurrent = await Promise.all(
      cases.flatMap((f) => Array.from({ length: 25 }, () => evaluateRules(demo, f))),
    );
    expect(second).toEqual(first);
    expect(concurrent).toEqual(first.flatMap((r) => Array.from({ length: 25 }, () => r)));
  });
});

describe('evaluateRules', () => {
  const spec = (rules: ReturnType<typeof rule>[]): RuleSetSpec => {
    const result = validateRuleSet(ruleSet(rules));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.spec;
  };

  it.each([
    [
      'the first of equal priorities',
      [rule({ name: 'a' }), rule({ name: 'b', outcome: 'decline' })],
      'review',
      ['a', 'b'],
    ],
    [
      'a later rule of higher priority',
      [rule({ name: 'a' }), rule({ name: 'b', outcome: 'decline', priority: 5 })],
      'decline',
      ['b', 'a'],
    ],
    ['nothing when no rule matches', [rule({ when: leaf('score', undefined, 'lessThan', 0) })], 'approve', []],
  ])('picks %s', async (_, rules, outcome, matched) => {
    expect(await evaluateRules(spec(rules), facts(0.7))).toMatchObject({ outcome, matched });
  });

  it('runs every operator and decorator the validator allows (json-rules-engine knows them all)', async () => {
    const operators = [...OPERATORS, ...OPERATOR_DECORATORS.map((d) => `${d}:equal`)];
    const listed = (op: string) => op === 'in' || op === 'notIn';
    const s = spec(
      operators.map((op, i) => rule({ name: `r${i}`, when: leaf('case', '$.https', op, listed(op) ? [1] : 1) })),
    );
    await expect(evaluateRules(s, facts(0.5))).resolves.toMatchObject({ outcome: 'review' });
  });

  it('compares a fact with another fact', async () => {
    const s = spec([
      rule({ when: leaf('models', '$.gb.score', 'greaterThan', { fact: 'models', path: '$.anomaly.score' }) }),
    ]);
    expect((await evaluateRules(s, facts(0.7))).matched).toEqual(['r']);
  });
});

describe('buildFacts and reasons', () => {
  it('keeps the first scored, non-shadow call per step', () => {
    const f = facts(0.5, {
      calls: [
        { step: 'gb', model: 'phishing-tfjs', version: '1', score: 0.1, arm: 'shadow' },
        { step: 'gb', model: 'phishing-gb', version: '2', score: null, arm: 'primary' },
        { step: 'gb', model: 'phishing-lr', version: '1', score: 0.6, arm: 'canary' },
        { step: 'gb', model: 'phishing-gb', version: '2', score: 0.7, arm: 'primary' },
        { step: 'constructor', model: 'm', version: '1', score: 0.2 },
      ],
    });
    expect(f.models).toEqual({
      gb: { score: 0.6, model: 'phishing-lr', version: '1' },
      constructor: { score: 0.2, model: 'm', version: '1' },
    });
    expect(f.similar).toBeNull();
  });

  it('refuses a similarity summary out of range', () => {
    expect(() => facts(0.5, { similar: similar(1.5) })).toThrow(/declineRate/);
  });

  it.each([
    ['score {score}', 'score 0.420'],
    ['{similar.count} similar, top {similar.topScore}', '5 similar, top 0.930'],
    ['fraud rate {similar.labelledFraudRate}', 'fraud rate n/a'],
    [
      '{pipeline.name}@{pipeline.version} {models.gb.model} https={case.https} {degraded}',
      'demo@3 phishing-gb https=1 false',
    ],
    ['missing {models.nn.score}', 'missing n/a'],
  ])('renders %s', (template, expected) => {
    expect(renderReason(template, facts(0.42, { similar: similar(0.5) }))).toBe(expected);
  });
});
