import { median } from '../pipeline/paired';

/** One closed-loop slice of one side, as bench/ab/side.ts prints it. */
export interface Slice {
  side: 'before' | 'after';
  /** Which of the run's passes (bench/ab.ts starts the sides in the other order in the second). */
  pass: number;
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

type Ratio = ReturnType<typeof summarize>['ratio'];

/**
 * The passes' summaries, and their ratios combined: the geometric mean of each pass's after ÷
 * before. The side started first costs more CPU a call (14–22 % in A/A runs of one commit against
 * itself, whichever side it was), so a pass in each order cancels that out; each pass is shown too.
 */
export function summarizePasses(slices: readonly Slice[]): {
  passes: ReturnType<typeof summarize>[];
  ratio: Ratio;
} {
  const numbers = [...new Set(slices.map((s) => s.pass))].sort((a, b) => a - b);
  const passes = numbers.map((n) => summarize(slices.filter((s) => s.pass === n)));
  const mean = (k: keyof Ratio) =>
    Math.round(Math.exp(passes.reduce((sum, p) => sum + Math.log(p.ratio[k]), 0) / passes.length) * 1000) / 1000;
  return {
    passes,
    ratio: {
      perSec: mean('perSec'),
      benchCpuMs: mean('benchCpuMs'),
      serverCpuMs: mean('serverCpuMs'),
      totalCpuMs: mean('totalCpuMs'),
    },
  };
}

/** Every pass's rows (labelled with the side it started first), then the combined ratio. */
export function passesTable(
  s: ReturnType<typeof summarizePasses>,
  labels: { before: string; after: string; firstOf: (pass: number) => 'before' | 'after' },
): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '–');
  const [header = '', rule = ''] = summaryTable(s.passes[0] ?? summarize([]), labels).split('\n');
  const rows = s.passes.flatMap((p, i) =>
    summaryTable(p, labels)
      .split('\n')
      .slice(2)
      .map((line) => line.replace(/^\| /, `| pass ${i + 1}, ${labels.firstOf(i)} started first: `)),
  );
  const r = s.ratio;
  const combined = `| after ÷ before, both orders (geometric mean) | | ${f(r.perSec)} | ${f(r.benchCpuMs)} | ${f(r.serverCpuMs)} | ${f(r.totalCpuMs)} |`;
  return [header, rule, ...rows, combined].join('\n');
}
