import cliProgress from 'cli-progress';
import type { BatchScheduleView } from '../client/batch';
import type { BatchProgress } from '../core/batch/progress';
import type { BatchSource } from '../core/batch/schema';
import { out, table } from './output';

/** `file:PATH` (relative to here) or `table`, as `--source` takes it. */
export function parseSource(text: string, resolvePath: (p: string) => string): BatchSource {
  if (text === 'table') return { kind: 'table' };
  if (text.startsWith('file:') && text.length > 'file:'.length)
    return { kind: 'file', path: resolvePath(text.slice(5)) };
  throw new Error(`--source must be file:PATH or table, not '${text}'`);
}

function sourceText(source: BatchSource | undefined): string {
  if (!source) return '?';
  return source.kind === 'file' ? `file:${source.path}` : 'table';
}

function seconds(p: BatchProgress): number {
  const end = p.finishedAt ? Date.parse(p.finishedAt) : Date.now();
  return Math.max((end - Date.parse(p.startedAt)) / 1000, 0.001);
}

/** A batch's progress for a person: one summary line and its first rejections. */
export function printProgress(p: BatchProgress): void {
  const of = p.total === null ? '' : `/${p.total}`;
  const by = `${p.byOutcome.approve} approve, ${p.byOutcome.review} review, ${p.byOutcome.decline} decline`;
  const again = p.alreadyRecorded > 0 ? ` (${p.alreadyRecorded} already recorded)` : '';
  const pipeline = p.pipeline ? `${p.pipeline.name}@${p.pipeline.version}` : '?';
  const rate = Math.round(p.decided / seconds(p));
  out(
    `batch ${p.batchId}: ${p.state} · ${p.read}${of} read · ${p.decided} decided${again} (${by}) · ` +
      `${p.rejected} rejected · ${p.failed} failed · pipeline ${pipeline}${p.rules ? ` · rules ${p.rules.name}@${p.rules.version}` : ''}`,
  );
  out(
    `  ${p.chunks} chunks in ${p.runs} runs · ${seconds(p).toFixed(1)} s · ${rate} decisions/s · ${sourceText(p.source)}`,
  );
  for (const r of p.rejections.slice(0, 10))
    out(`  ${r.line === null ? `case ${r.caseId ?? '?'}` : `line ${r.line}`}: ${r.reason}`);
  if (p.rejected > 10) out(`  … ${p.rejected - 10} more rejections (table batch_rejections)`);
  if (p.lastError) out(`  last error: ${p.lastError}`);
}

/** A progress bar on stderr (drawn only at a terminal) fed by each polled progress. */
export function progressBar(): { update(p: BatchProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      format: 'batch [{bar}] {value}/{total} read · {decided} decided · {rejected} rejected · {rate}/s',
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { decided: p.decided, rejected: p.rejected, rate: Math.round(p.decided / seconds(p)) };
      if (!started) bar.start(p.total ?? p.read, p.read, payload);
      started = true;
      bar.setTotal(Math.max(p.total ?? p.read, p.read));
      bar.update(p.read, payload);
    },
    stop: () => bar.stop(),
  };
}

/** Batch schedules as a table. */
export function printSchedules(views: readonly BatchScheduleView[]): void {
  const t = table(['schedule', 'when', 'source', 'pipeline', 'state', 'next run', 'last batch']);
  for (const v of views) {
    t.push([
      v.name,
      v.spec,
      sourceText(v.batch?.source),
      `${v.batch?.pipeline ?? '?'}${v.batch?.rules ? ` + rules ${v.batch.rules}` : ''}`,
      v.paused ? `paused${v.note ? `: ${v.note}` : ''}` : 'active',
      v.nextRunsAt[0] ?? '',
      v.running.at(-1)?.batchId ?? v.recent.at(-1)?.batchId ?? '',
    ]);
  }
  out(t.toString());
}
