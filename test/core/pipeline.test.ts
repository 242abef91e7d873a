import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validatePipelineSpec, modelRefsOf } from '../../core/pipeline/check';
import { canaryBucket, combineScores, quorumOf } from '../../core/pipeline/combine';
import type { CombineStep } from '../../core/pipeline/spec';
import { PROJECT_ROOT } from '../../config/env';

const combine = (method: CombineStep['method'], extra: Partial<CombineStep> = {}): CombineStep => ({
  id: 'c',
  type: 'combine',
  method,
  inputs: ['a', 'b', 'c'],
  threshold: 0.5,
  ...extra,
});
const members = [
  { id: 'a', score: 0.9 },
  { id: 'b', score: 0.3 },
];

describe('combiners', () => {
  it.each([
    ['mean', {}, 0.6],
    ['max', {}, 0.9],
    ['min', {}, 0.3],
    ['vote', {}, 0.5],
    ['vote', { threshold: 0.2 }, 1],
    // weights renormalised over the members present (c is missing)
    ['weighted-mean', { weights: { a: 1, b: 3, c: 100 } }, 0.45],
  ] as const)('%s %j', (method, extra, expected) => {
    expect(combineScores(combine(method, extra), members)).toBeCloseTo(expected, 10);
  });

  it('reports which inputs answered and whether the quorum is met', () => {
    const available = new Map([
      ['a', 0.9],
      ['b', 0.3],
    ]);
    expect(quorumOf(combine('mean', { quorum: 2 }), available)).toMatchObject({ missing: ['c'], met: true });
    expect(quorumOf(combine('mean'), available)).toMatchObject({ met: false });
  });

  it('buckets decision keys stably and evenly for canaries', () => {
    expect(canaryBucket('decision-1', 'gb')).toBe(canaryBucket('decision-1', 'gb'));
    const keys = Array.from({ length: 10_000 }, (_, i) => `decision-${i}`);
    const share = keys.filter((k) => canaryBucket(k, 'gb') < 10).length / keys.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
  });
});

describe('validatePipelineSpec', () => {
  it('accepts the demo pipeline and lists the models it calls, its embedder included', async () => {
    const raw: unknown = parse(await readFile(join(PROJECT_ROOT, 'demo', 'pipelines', 'demo.yaml'), 'utf8'));
    const result = validatePipelineSpec(raw);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(modelRefsOf(result.spec)).toEqual([
        'phishing-features:champion',
        'phishing-gb:champion',
        'phishing-iforest:champion',
        'phishing-lr:challenger',
        'phishing-tfjs:champion',
      ]);
    }
  });

  it('lists every problem with its path', () => {
    const result = validatePipelineSpec({
      name: 'p',
      steps: [
        { id: 'a', type: 'model', model: 'm', input: '{' },
        { id: 'a', type: 'combine', method: 'weighted-mean', inputs: ['a', 'zz'], weights: { a: 1 }, quorum: 5 },
        { id: 's', type: 'combine', method: 'stacking', inputs: ['a'] },
      ],
      output: 'missing',
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      'output',
      'steps.0.input',
      'steps.1.id',
      'steps.1.inputs.1',
      'steps.1.quorum',
      'steps.1.weights',
      'steps.2.model',
    ]);
  });

  it('reports schema errors with their paths', () => {
    const result = validatePipelineSpec({ name: 'Bad Name', steps: [{ id: 'a', type: 'teleport' }], output: 'a' });
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'steps.0.type']));
  });
});
