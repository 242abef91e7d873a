import type { FanoutRow } from './fanout';
import type { VariantResult } from './measure';

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
