import { describe, expect, it } from 'vitest';
import { passesTable, summarize, summarizePasses, summaryTable, type Slice } from '../../bench/ab/summary';

const slice = (side: Slice['side'], perSec: number, benchCpuMs: number, serverCpuMs: number, pass = 0): Slice => ({
  side,
  pass,
  perSec,
  benchCpuMs,
  serverCpuMs,
  load1: 3,
});

describe('bench/ab summary', () => {
  it("takes each side's medians over its slices and divides after by before", () => {
    const s = summarize([
      slice('before', 30, 24, 11),
      slice('after', 33, 21, 10),
      slice('before', 28, 22, 12),
      slice('after', 31, 19, 11),
      slice('before', 100, 10, 9), // one fast slice does not move a median of three
      slice('after', 32, 20, 10.5),
    ]);
    expect(s.before).toEqual({ slices: 3, perSec: 30, benchCpuMs: 22, serverCpuMs: 11, totalCpuMs: 34 });
    expect(s.after).toEqual({ slices: 3, perSec: 32, benchCpuMs: 20, serverCpuMs: 10.5, totalCpuMs: 30.5 });
    expect(s.ratio).toEqual({ perSec: 1.067, benchCpuMs: 0.909, serverCpuMs: 0.955, totalCpuMs: 0.897 });
    const table = summaryTable(s, { before: 'abc1234', after: 'def5678' });
    expect(table).toContain('| before (abc1234) | 3 | 30.0 | 22.00 | 11.00 | 34.00 |');
    expect(table).toContain('| after ÷ before | | 1.067 | 0.909 | 0.955 | 0.897 |');
  });

  it('says a side without slices has no figures', () => {
    const s = summarize([slice('after', 10, 5, 5)]);
    expect(s.before.slices).toBe(0);
    expect(summaryTable(s, { before: 'a', after: 'b' })).toContain('| before (a) | 0 | – | – | – | – |');
  });

  it('combines the passes by the geometric mean of their ratios, so a bias toward one start order cancels', () => {
    // Pass 1 (before first): the first side pays 10 % more; pass 2 (after first): the same bias the other way.
    const s = summarizePasses([
      slice('before', 40, 22, 11, 0),
      slice('after', 40, 20, 10, 0),
      slice('after', 40, 22, 11, 1),
      slice('before', 40, 20, 10, 1),
    ]);
    expect(s.passes.map((p) => p.ratio.benchCpuMs)).toEqual([0.909, 1.1]);
    expect(s.ratio).toEqual({ perSec: 1, benchCpuMs: 1, serverCpuMs: 1, totalCpuMs: 1 });
    const table = passesTable(s, { before: 'a', after: 'b', firstOf: (p) => (p === 0 ? 'before' : 'after') });
    expect(table).toContain('| pass 1, before started first: before (a) | 1 | 40.0 | 22.00 | 11.00 | 33.00 |');
    expect(table).toContain('| pass 2, after started first: after ÷ before | | 1.000 | 1.100 | 1.100 | 1.100 |');
    expect(table.split('\n').at(-1)).toBe(
      '| after ÷ before, both orders (geometric mean) | | 1.000 | 1.000 | 1.000 | 1.000 |',
    );
  });
});
