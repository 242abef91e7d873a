import { describe, expect, it } from 'vitest';
import { formatOf, parseCsv, parseNdjson, splitCsvLine } from '../../admin/feedback-file';

describe('the minimal CSV reader', () => {
  it.each([
    ['plain fields', 'a,b,c', ['a', 'b', 'c']],
    ['empty fields, a trailing one too', 'a,,', ['a', '', '']],
    ['a quoted comma', '"a, b",c', ['a, b', 'c']],
    ['a doubled quote', '"say ""hi""",x', ['say "hi"', 'x']],
    ['an empty quoted field', '"",x', ['', 'x']],
    ['an unclosed quote', '"open,x', { error: expect.stringContaining('not closed') as unknown }],
    ['text after a closing quote', '"a"b,x', { error: expect.stringContaining('after a closing quote') as unknown }],
    ['a quote inside a bare field', 'a"b,x', { error: expect.stringContaining('inside an unquoted field') as unknown }],
  ])('%s', (_name, line, expected) => {
    expect(splitCsvLine(line)).toEqual(expected);
  });

  it('maps rows to the header, drops empty cells and numbers rows by line (blank lines skipped)', () => {
    const text = '\uFEFFdecisionId,label,note\r\nd-1,fraud,\r\n\r\nd-2,legit,"x, y"\r\nd-3,fraud\r\n';
    expect(parseCsv(text)).toEqual([
      { row: 2, value: { decisionId: 'd-1', label: 'fraud' } },
      { row: 4, value: { decisionId: 'd-2', label: 'legit', note: 'x, y' } },
      { row: 5, value: null, unreadable: '2 cells for 3 columns' },
    ]);
  });

  it.each([
    ['an unknown column', 'decision_id,label', /unknown column 'decision_id'/],
    ['a repeated column', 'label,decisionId,label', /column 'label' appears twice/],
  ])('refuses a header with %s', (_name, header, message) => {
    expect(() => parseCsv(`${header}\nx,y`)).toThrow(message);
  });
});

describe('NDJSON and formats', () => {
  it('reads one object a line; a line that is not JSON is an unreadable row', () => {
    const rows = parseNdjson('{"decisionId":"d-1","label":"fraud"}\n\n{oops\n');
    expect(rows[0]).toEqual({ row: 1, value: { decisionId: 'd-1', label: 'fraud' } });
    expect(rows[1]).toMatchObject({ row: 3, value: null });
    expect(rows[1]?.unreadable).toBeTypeOf('string');
  });

  it.each([
    ['labels.ndjson', 'ndjson'],
    ['labels.JSONL', 'ndjson'],
    ['labels.csv', 'csv'],
    ['labels.json', undefined],
  ])('%s is %s', (path, format) => {
    expect(formatOf(path)).toBe(format);
  });
});
