import { describe, expect, it } from 'vitest';
import { validateCase, type FeatureSpec } from '../../core/case';

const spec: FeatureSpec = { features: ['https', 'long_url'], range: [0, 1] };
const good = { caseId: 'c-1', input: { https: 1, long_url: 0.5 } };

describe('validateCase', () => {
  it('accepts a well-formed case and keeps only the model features', () => {
    expect(validateCase(good, spec)).toEqual({
      ok: true,
      value: { caseId: 'c-1', features: { https: 1, long_url: 0.5 } },
    });
  });

  it.each([
    ['missing field', { caseId: 'c', input: { https: 1 } }, 'input.long_url'],
    ['wrong type', { caseId: 'c', input: { https: 'yes', long_url: 0 } }, 'input.https'],
    ['out of range', { caseId: 'c', input: { https: 2, long_url: 0 } }, 'input.https'],
    ['not finite', { caseId: 'c', input: { https: Number.NaN, long_url: 0 } }, 'input.https'],
    ['unknown field', { caseId: 'c', input: { https: 1, long_url: 0, extra: 1 } }, 'input.extra'],
    ['no case id', { input: good.input }, 'caseId'],
    ['bad case id', { caseId: 'has space', input: good.input }, 'caseId'],
    ['input not an object', { caseId: 'c', input: [1, 2] }, 'input'],
  ])('names the field: %s', (_name, raw, path) => {
    const result = validateCase(raw, spec);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('reports every bad field at once', () => {
    const result = validateCase({ caseId: 'c', input: { https: 'x' } }, spec);
    expect(result.ok ? [] : result.issues.map((i) => i.path).sort()).toEqual(['input.https', 'input.long_url']);
  });
});
