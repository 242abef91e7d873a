import { describe, expect, it } from 'vitest';
import {
  checkCaseLimits,
  checkText,
  DEFAULT_CASE_LIMITS,
  MAX_CASE_ISSUES,
  type CaseLimits,
} from '../../core/case-limits';

/** `{ a: { a: ... leaf } }`, `levels` objects deep. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** An input object of `n` numeric fields. */
function wide(n: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`field_${i}`, i]));
}

const bytesOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');
const at = (input: unknown) => ({ caseId: 'c-1', input });

describe('checkCaseLimits', () => {
  it.each<[string, unknown, string, string]>([
    ['NUL in a value', at({ note: 'a\u0000b' }), 'no-nul', 'input.note'],
    ['NUL in a key', at({ 'k\u0000': 1 }), 'no-nul', 'input.k\\u0000'],
    ['NUL in a nested array value', at({ list: [1, { s: '\u0000' }] }), 'no-nul', 'input.list.1.s'],
    ['a lone high surrogate', at({ s: 'x\ud800' }), 'no-lone-surrogate', 'input.s'],
    ['a lone low surrogate in a key', at({ ['\udc00k']: 1 }), 'no-lone-surrogate', 'input.\\udc00k'],
    ['33 levels, input included', at(nested(33)), 'max-depth', `input${'.a'.repeat(32)}`],
    ['10,000 levels', at(nested(10_000)), 'max-depth', `input${'.a'.repeat(32)}`],
    ['1,001 fields', at(wide(1001)), 'max-fields', 'input'],
    ['fields counted at every depth', at({ a: wide(600), b: wide(600) }), 'max-fields', 'input.b'],
    ['a BigInt', at({ n: 1n }), 'json-only', 'input.n'],
    ['over 256 KiB', at({ blob: 'x'.repeat(256 * 1024) }), 'max-bytes', '(root)'],
  ])('refuses %s, naming rule and path', (_name, request, rule, path) => {
    const issues = checkCaseLimits(request);
    expect(issues).toContainEqual(expect.objectContaining({ rule, path }));
    for (const issue of issues) expect(issue.message).toContain(`rule ${issue.rule}`);
  });

  it.each<[string, unknown]>([
    ['a plain case', at({ https: 1, url: 'https://example.com/é😀', tags: ['a', 'b'], when: new Date(0) })],
    ['32 levels, input included', at(nested(32))],
    ['exactly 1,000 fields', at(wide(1000))],
    ['surrogate pairs', at({ '😀': '😀😀' })],
    ['control characters other than NUL', at({ s: '\u0001\t\n' })],
    ['no request at all (the envelope schema names that)', undefined],
  ])('accepts %s', (_name, request) => expect(checkCaseLimits(request)).toEqual([]));

  it('counts bytes exactly as JSON.stringify writes them, in UTF-8', () => {
    const request = at({
      s: 'é😀"\\\n\u0001',
      list: [1, null, true, 1e21, Number.NaN, undefined],
      o: { u: undefined },
    });
    const exact: CaseLimits = { maxFields: 1000, maxBytes: bytesOf(request) };
    expect(checkCaseLimits(request, exact)).toEqual([]);
    expect(checkCaseLimits(request, { ...exact, maxBytes: exact.maxBytes - 1 })).toHaveLength(1);
  });

  it('takes its limits as arguments', () => {
    expect(checkCaseLimits(at(wide(10)), { ...DEFAULT_CASE_LIMITS, maxFields: 9 })).toHaveLength(1);
    expect(checkCaseLimits(at(wide(5000)), { maxFields: 5000, maxBytes: 1024 * 1024 })).toEqual([]);
  });

  it('stops early on huge input: 40,000 fields (0.7 MiB), one issue, quickly', () => {
    const request = at(wide(40_000));
    expect(bytesOf(request)).toBeGreaterThan(0.7 * 1024 * 1024);
    const started = performance.now();
    expect(checkCaseLimits(request)).toEqual([expect.objectContaining({ rule: 'max-fields', path: 'input' })]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses 0.7 MiB in a few fields by size', () => {
    const request = at({ a: 'x'.repeat(0.35 * 1024 * 1024), b: 'y'.repeat(0.35 * 1024 * 1024) });
    expect(checkCaseLimits(request)).toEqual([expect.objectContaining({ rule: 'max-bytes' })]);
  });

  it('walks 10,000-deep nesting without recursion, even as arrays and a cycle', () => {
    let deepArray: unknown = 0;
    for (let i = 0; i < 10_000; i++) deepArray = [deepArray];
    expect(checkCaseLimits(at(deepArray))[0]?.rule).toBe('max-depth');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(checkCaseLimits(at(cycle))[0]?.rule).toBe('max-depth');
  });

  it(`reports at most ${MAX_CASE_ISSUES} issues`, () => {
    const bad = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, '\u0000']));
    expect(checkCaseLimits(at(bad))).toHaveLength(MAX_CASE_ISSUES);
  });
});

describe('checkText', () => {
  it.each([
    ['fine', 'a note 😀', []],
    ['NUL', 'a\u0000', ['no-nul']],
    ['lone surrogate', '\udfff', ['no-lone-surrogate']],
  ])('%s', (_name, text, rules) => expect(checkText(text, 'note').map((i) => i.rule)).toEqual(rules));
});
