import { median } from '../pipeline/paired';

/** One closed-loop slice of one side, as bench/ab/side.ts prints it. */
export interface Slice {
  side: 'before' | 'after';
  perSec: number;
  /** CPU ms a call: the side's own process (worker, PGlite, client) and its dev server. */
  benchCpuMs: number;
  serverCpuMs: number;
  load1: number;
}

export interface SideSummary {
  slices: number;
  perSec: number;
  benchCpuMs: number;
  serverCpuMs: number;
  totalCpuMs: number;
}

/** Each side's medians over its slices, and after ÷ before of each. */
export function summarize(slices: readonly Slice[]): {
  before: SideSummary;
  after: SideSummary;
  ratio: Omit<SideSummary, 'slices'>;
} {
  const side = (name: Slice['side']): SideSummary => {
    const own = slices.filter((s) => s.side === name);
    return {
      slices: own.length,
      perSec: median(own.map((s) => s.perSec)),
      benchCpuMs: median(own.map((s) => s.benchCpuMs)),
      serverCpuMs: median(own.map((s) => s.serverCpuMs)),
      totalCpuMs: median(own.map((s) => s.benchCpuMs + s.serverCpuMs)),
    };
  };
  const before = side('before');
  const after = side('after');
  const r = (k: keyof Omit<SideSummary, 'slices'>) => Math.round((after[k] / before[k]) * 1000) / 1000;
  return {
    before,
    after,
    ratio: {
      perSec: r('perSec'),
      benchCpuMs: r('benchCpuMs'),
      serverCpuMs: r('serverCpuMs'),
      totalCpuMs: r('totalCpuMs'),
    },
  };
}

/** The summary as a markdown table. */
export function summaryTable(s: ReturnType<typeof summarize>, labels: { before: string; after: string }): string {
  const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const row = (name: string, x: SideSummary) =>
    `| ${name} | ${x.slices} | ${f(x.perSec, 1)} | ${f(x.benchCpuMs)} | ${f(x.serverCpuMs)} | ${f(x.totalCpuMs)} |`;
  return [
    '| side | slices | calls/s | CPU ms/call: bench process | dev server | both |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row(`before (${labels.before})`, s.before),
    row(`after (${labels.after})`, s.after),
    `| after ÷ before | | ${f(s.ratio.perSec, 3)} | ${f(s.ratio.benchCpuMs, 3)} | ${f(s.ratio.serverCpuMs, 3)} | ${f(s.ratio.totalCpuMs, 3)} |`,
  ].join('\n');
}
