import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePipelineSpec } from '../../core/pipeline/check';
import { PipelineSpecSchema } from '../../core/pipeline/spec';
import { validateRuleSet } from '../../core/rules/check';
import { nearestKey } from '../../core/unknown-keys';
import { ModelCardInvalidError, parseModelCard, readModelCards } from '../../models/cards';
import { MODELS_DIR } from '../helpers/models';

const model = (id: string, extra: object = {}) => ({ id, type: 'model', model: `${id}-model:champion`, ...extra });
const pipeline = (steps: object[], extra: object = {}) => ({
  name: 'p',
  steps,
  output: steps.length ? 'out' : 'x',
  ...extra,
});
const stacking = (extra: object) => ({ id: 'out', type: 'combine', method: 'stacking', inputs: ['a', 'b'], ...extra });

describe('unknown keys in a pipeline spec are refused, with the path and the field probably meant', () => {
  it.each([
    [
      'metaModel on a stacking combine',
      pipeline([model('a'), model('b'), stacking({ model: 'meta:champion', metaModel: 'meta:champion' })]),
      'steps.2.metaModel',
      "unknown field 'metaModel' (did you mean 'model'?)",
    ],
    [
      'timeout on a model step',
      pipeline([model('out', { timeout: 300 })]),
      'steps.0.timeout',
      "(did you mean 'timeoutMs'?)",
    ],
    [
      'a typo inside a parallel group',
      pipeline([{ id: 'out', type: 'parallel', steps: [model('a', { plcement: 'remote' })], quorom: 1 }]),
      'steps.0.steps.0.plcement',
      "(did you mean 'placement'?)",
    ],
    [
      'a typo on the parallel group itself',
      pipeline([{ id: 'out', type: 'parallel', steps: [model('a')], quorom: 1 }]),
      'steps.0.quorom',
      "(did you mean 'quorum'?)",
    ],
    [
      'a typo in a switch case',
      pipeline([{ id: 'out', type: 'switch', cases: [{ when: 'true', step: [model('a')], steps: [model('b')] }] }]),
      'steps.0.cases.0.step',
      "(did you mean 'steps'?)",
    ],
    [
      'a typo in a fallback chain member',
      pipeline([{ id: 'out', type: 'fallback', chain: [model('a', { retries: { maximumAttempts: 2 } })] }]),
      'steps.0.chain.0.retries',
      "(did you mean 'retry'?)",
    ],
    [
      'a typo inside retry',
      pipeline([model('out', { retry: { maxAttempts: 3 } })]),
      'steps.0.retry.maxAttempts',
      "(did you mean 'maximumAttempts'?)",
    ],
    [
      'a typo inside canary',
      pipeline([model('out', { canary: { model: 'x:challenger', percentage: 10, percent: 10 } })]),
      'steps.0.canary.percentage',
      "(did you mean 'percent'?)",
    ],
    [
      'a typo at the top level',
      pipeline([model('out')], { deadline: 500 }),
      'deadline',
      "(did you mean 'deadlineMs'?)",
    ],
    [
      'a typo in similarity',
      pipeline([model('out')], { similarity: { embedder: 'e:champion', top_k: 5 } }),
      'similarity.top_k',
      "(did you mean 'topK'?)",
    ],
    [
      'a key like nothing known lists what is',
      pipeline([model('out', { colour: 'red' })]),
      'steps.0.colour',
      "unknown field 'colour'; known here: id, type, model, input, timeoutMs",
    ],
  ])('%s', (_name, raw, path, message) => {
    // Zod alone accepts every one of these: the key would be dropped and the spec run without it.
    expect(PipelineSpecSchema.safeParse(raw).success).toBe(true);
    const result = validatePipelineSpec(raw);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it('lists unknown keys beside the other problems, all at once', () => {
    const result = validatePipelineSpec(pipeline([model('out', { timeout: 1, placement: 'moon' })], { outptu: 'a' }));
    const paths = result.ok ? [] : result.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['outptu', 'steps.0.placement', 'steps.0.timeout']);
  });

  it('reports the checks past the schema too when only keys were unknown', () => {
    const result = validatePipelineSpec(pipeline([model('out', { timeout: 1 })], { output: 'nowhere' }));
    const paths = result.ok ? [] : result.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['output', 'steps.0.timeout']);
  });

  it('leaves free-form maps alone (weights by step id, similarity filters)', () => {
    const raw = pipeline(
      [
        model('a'),
        model('b'),
        { id: 'out', type: 'combine', method: 'weighted-mean', inputs: ['a', 'b'], weights: { a: 1, b: 2 } },
      ],
      { similarity: { embedder: 'e:champion', filter: { label: 'fraud', region: { $in: ['eu'] } } } },
    );
    expect(validatePipelineSpec(raw)).toMatchObject({ ok: true });
  });
});

const ruleSet = (rule: object, extra: object = {}) => ({
  name: 'r',
  rules: [
    {
      name: 'a',
      when: { fact: 'score', operator: 'greaterThan', value: 0.5 },
      outcome: 'decline',
      reason: 'x',
      ...rule,
    },
  ],
  default: { outcome: 'approve', reason: 'ok' },
  ...extra,
});

describe('unknown keys in rule sets and model cards', () => {
  it.each([
    ['a rule field', ruleSet({ priorty: 2 }), 'rules.0.priorty', "(did you mean 'priority'?)"],
    [
      'a nested condition field',
      ruleSet({ when: { all: [{ fact: 'score', opertor: 'equal', operator: 'equal', value: 1 }] } }),
      'rules.0.when.all.0.opertor',
      "(did you mean 'operator'?)",
    ],
    ['a top-level field', ruleSet({}, { defaults: {} }), 'defaults', "(did you mean 'default'?)"],
  ])('rule set: %s', (_name, raw, path, message) => {
    const result = validateRuleSet(raw);
    const issues = result.ok ? [] : result.issues;
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it('rule set: reports the checks past the schema too when only keys were unknown', () => {
    const result = validateRuleSet(ruleSet({ priorty: 2, when: { fact: 'scor', operator: 'equal', value: 1 } }));
    const paths = result.ok ? [] : result.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['rules.0.priorty', 'rules.0.when.fact']);
  });

  it.each([
    ['metric', 'metrics'],
    ['alias', 'aliases'],
    ['inputschema', 'inputSchema'],
  ])('model card: %s', async (key, near) => {
    const [card] = await readModelCards(MODELS_DIR);
    const err = (() => {
      try {
        return parseModelCard({ ...card, [key]: {} }, 'my-card.json');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModelCardInvalidError);
    expect((err as ModelCardInvalidError).issues).toContainEqual({
      path: key,
      message: `unknown field '${key}' (did you mean '${near}'?)`,
    });
  });

  it('accepts the demo cards, their free-form provenance and config included', async () => {
    const dir = join(MODELS_DIR, 'phishing-gb', 'model.json');
    const raw: unknown = JSON.parse(await readFile(dir, 'utf8'));
    expect(parseModelCard(raw, dir).name).toBe('phishing-gb');
    expect((await readModelCards(MODELS_DIR)).length).toBeGreaterThanOrEqual(5);
  });
});

describe('nearestKey', () => {
  it.each([
    ['metaModel', ['id', 'model', 'inputs'], 'model'],
    ['treshold', ['threshold', 'quorum'], 'threshold'],
    ['TimeoutMs', ['timeoutMs'], 'timeoutMs'],
    ['timeout', ['timeoutMs', 'model'], 'timeoutMs'],
    ['weight', ['weights', 'inputs'], 'weights'],
    ['colour', ['id', 'type', 'model'], undefined],
    ['modle', ['id', 'model'], 'model'],
    ['retries', ['retry', 'cache'], 'retry'],
    ['x', ['id'], undefined],
  ] as const)('%s among %j → %s', (key, known, expected) => {
    expect(nearestKey(key, known)).toBe(expected);
  });
});
