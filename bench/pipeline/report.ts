import type { FanoutRow } from './fanout';
import type { VariantResult } from './measure';
import type { PairedResult } from './paired';

const fixed = (n: number, places = 1) => (Number.isFinite(n) ? n.toFixed(places) : '–');

/** The variants as a markdown table, the columns bench/README.md explains. */
export function variantsTable(rows: readonly VariantResult[]): string {
  return [
    '| variant | seq p50 ms | seq p99 ms | max /s (16 callers) | CPU ms/op | peak RSS MiB | open loop /s | open p50 ms | open p99 ms | degraded % | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows
      .map((r) =>
        [
          r.name,
          fixed(r.seqP50Ms, 2),
          fixed(r.seqP99Ms, 2),
          fixed(r.perSec),
          fixed(r.cpuMsPerOp, 2),
          fixed(r.peakRssMiB, 0),
          fixed(r.openLoop.rate),
          fixed(r.openLoop.p50Ms, 2),
          fixed(r.openLoop.p99Ms, 2),
          fixed(r.openLoop.degradedPct),
          String(r.errors),
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
  ].join('\n');
}

/** The fan-out section as a markdown table. */
export function fanoutTable(rows: readonly FanoutRow[]): string {
  return [
    '| variant | members | seq p50 ms | seq p99 ms | ms per extra member |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.members} | ${fixed(r.seqP50Ms, 2)} | ${fixed(r.seqP99Ms, 2)} | ${r.msPerExtraMember === null ? '–' : fixed(r.msPerExtraMember, 2)} |`,
    ),
  ].join('\n');
}

/** The paired slices as a markdown table: each round's figures and ratios, then the medians. */
export function pairedTable(p: PairedResult): string {
  const { baseline: b, variant: v } = p;
  return [
    `| round (first) | ${b} p50 / max / CPU | ${v} p50 / max / CPU | ÷ ${b}: p50 | max /s | CPU ms/op |`,
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...p.rounds.map(
      (r, i) =>
        `| ${i + 1} (${r.first}) | ${fixed(r.baseline.seqP50Ms)} / ${fixed(r.baseline.perSec)} / ${fixed(r.baseline.cpuMsPerOp)} | ` +
        `${fixed(r.variant.seqP50Ms)} / ${fixed(r.variant.perSec)} / ${fixed(r.variant.cpuMsPerOp)} | ` +
        `${fixed(r.ratio.seqP50, 2)} | ${fixed(r.ratio.perSec, 2)} | ${fixed(r.ratio.cpuMsPerOp, 2)} |`,
    ),
    `| median | | | ${fixed(p.medianRatio.seqP50, 2)} | ${fixed(p.medianRatio.perSec, 2)} | ${fixed(p.medianRatio.cpuMsPerOp, 2)} |`,
  ].join('\n');
}
