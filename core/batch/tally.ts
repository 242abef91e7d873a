import type { ChunkRead, ChunkScored } from './chunks';
import { MAX_REJECTIONS_IN_PROGRESS, type BatchProgress } from './progress';
import type { BatchRejection, BatchSource } from './schema';

/** A batch's progress before its first chunk. */
export function freshProgress(batchId: string, source: BatchSource, startedAt: string): BatchProgress {
  return {
    batchId,
    state: 'running',
    source,
    pipeline: null,
    rules: null,
    total: null,
    read: 0,
    decided: 0,
    alreadyRecorded: 0,
    rejected: 0,
    failed: 0,
    byOutcome: { approve: 0, review: 0, decline: 0 },
    chunks: 0,
    runs: 1,
    startedAt,
    finishedAt: null,
    lastError: null,
    rejections: [],
    timings: { readMs: 0, scoreMs: 0, recordMs: 0 },
  };
}

function kept(p: BatchProgress, more: readonly BatchRejection[]): BatchRejection[] {
  return [...p.rejections, ...more].slice(0, MAX_REJECTIONS_IN_PROGRESS);
}

/** Adds a chunk as read: lines (or rows) consumed and the bad ones. */
export function withRead(p: BatchProgress, r: ChunkRead): BatchProgress {
  return {
    ...p,
    read: p.read + r.read,
    rejected: p.rejected + r.rejections.length,
    rejections: kept(p, r.rejections),
    chunks: Math.max(p.chunks, r.chunk + 1),
    timings: { ...p.timings, readMs: p.timings.readMs + r.readMs },
  };
}

/** Adds a chunk as scored and recorded. */
export function withScored(p: BatchProgress, s: ChunkScored): BatchProgress {
  const by = p.byOutcome;
  return {
    ...p,
    decided: p.decided + s.decided,
    alreadyRecorded: p.alreadyRecorded + s.alreadyRecorded,
    rejected: p.rejected + s.rejections.length,
    failed: p.failed + s.failed,
    byOutcome: {
      approve: by.approve + (s.byOutcome.approve ?? 0),
      review: by.review + (s.byOutcome.review ?? 0),
      decline: by.decline + (s.byOutcome.decline ?? 0),
    },
    lastError: s.lastError ?? p.lastError,
    rejections: kept(p, s.rejections),
    timings: {
      readMs: p.timings.readMs + s.readMs,
      scoreMs: p.timings.scoreMs + s.scoreMs,
      recordMs: p.timings.recordMs + s.recordMs,
    },
  };
}

/** A batch at a glance, for the Temporal UI's current details. */
export function progressDetails(p: BatchProgress): string {
  const of = p.total === null ? '' : ` of ${p.total}`;
  const by = `${p.byOutcome.approve} approved, ${p.byOutcome.review} to review, ${p.byOutcome.decline} declined`;
  const problems = [p.rejected ? `${p.rejected} rejected` : '', p.failed ? `${p.failed} failed` : ''].filter(Boolean);
  return [`**${p.state}** · ${p.read}${of} read · ${p.decided} decided (${by})`, ...problems].join(' · ');
}
