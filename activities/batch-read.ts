import { ApplicationFailure } from '@temporalio/common';
import { LRUCache } from 'lru-cache';
import { caseOf, MAX_KEPT_LINE, parseCaseLine } from '../core/batch/ndjson';
import { DEFAULT_CASE_LIMITS, type CaseLimits } from '../core/case-limits';
import type { ChunkRead, ReadChunkInput } from '../core/batch/chunks';
import type { BatchCase, BatchRejection, FileCursor } from '../core/batch/schema';
import { Failure } from '../core/failures';
import { toStoreFailure } from '../stores/pg-errors';
import type { BatchStore, ProcessedRow, StoredBatchRejection } from '../stores/batch-store';
import { readLines } from './batch-file';

/** The claim a table chunk's rows carry: the batch and the chunk. */
export const claimOf = (batchId: string, chunk: number): string => `${batchId}#${chunk}`;

/**
 * Chunks read and not yet scored, in this worker's memory: `readChunk` puts, `scoreChunk` takes, so
 * cases never travel through workflow history. Bounded; a chunk scored in another process (or after
 * eviction) is read again from its source, which gives the same cases.
 */
export class ChunkStage {
  private readonly chunks = new LRUCache<string, BatchCase[]>({ max: 8 });

  put(batchId: string, chunk: number, cases: BatchCase[]): void {
    this.chunks.set(claimOf(batchId, chunk), cases);
  }

  take(batchId: string, chunk: number): BatchCase[] | undefined {
    const key = claimOf(batchId, chunk);
    const cases = this.chunks.get(key);
    this.chunks.delete(key);
    return cases;
  }
}

/** The one classifier for reading a batch file (STYLE rule 4): a file that is not there is not retried. */
export function toFileFailure(err: unknown, path: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const missing = code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES';
  return ApplicationFailure.create({
    type: missing ? Failure.Batch.SourceNotFound : Failure.Batch.SourceUnreadable,
    message: `batch source ${path}: ${err instanceof Error ? err.message : String(err)}`,
    nonRetryable: missing,
    cause: err instanceof Error ? err : undefined,
  });
}

type Split = { cases: BatchCase[]; rejections: StoredBatchRejection[] };

function keep(rejection: BatchRejection, input: unknown): StoredBatchRejection {
  return { ...rejection, input };
}

/** A file chunk's lines as cases and rejections (a bad line keeps its text). */
export async function readFileCases(
  path: string,
  from: FileCursor,
  size: number,
  until?: number,
  limits: CaseLimits = DEFAULT_CASE_LIMITS,
) {
  const { lines, next, done } = await readLines(path, from, size, until).catch((err: unknown) => {
    throw toFileFailure(err, path);
  });
  const split: Split = { cases: [], rejections: [] };
  for (const { line, text } of lines) {
    const parsed = parseCaseLine(text, line, limits);
    if (parsed.ok) split.cases.push(parsed.value);
    else split.rejections.push(keep(parsed.rejection, text.slice(0, MAX_KEPT_LINE)));
  }
  return { ...split, read: lines.length, next, done };
}

/** Claimed rows as cases and rejections (a row that is no `{ caseId, input }` case). */
export function splitRows(
  rows: readonly { caseId: string; input: unknown }[],
  limits: CaseLimits = DEFAULT_CASE_LIMITS,
): Split {
  const split: Split = { cases: [], rejections: [] };
  for (const row of rows) {
    const parsed = caseOf(row, null, limits);
    if (parsed.ok) split.cases.push(parsed.value);
    else split.rejections.push(keep({ ...parsed.rejection, caseId: row.caseId }, row.input));
  }
  return split;
}

/** Builds `readChunk`: the next chunk of a batch's source, staged for `scoreChunk`. Idempotent. */
export function createReadChunk(deps: {
  batches: BatchStore;
  stage: ChunkStage;
  storeInput: boolean;
  /** A case over them is a rejection of its line or row. @default core/case-limits.ts DEFAULT_CASE_LIMITS */
  caseLimits?: CaseLimits;
}) {
  const { batches, stage, storeInput, caseLimits } = deps;
  return async function readChunk(input: ReadChunkInput): Promise<ChunkRead> {
    const started = performance.now();
    const { batchId, source, chunk, size, from } = input;
    let read: Split & { read: number; next: FileCursor; done: boolean };
    if (source.kind === 'file') read = await readFileCases(source.path, from, size, undefined, caseLimits);
    else {
      const claim = claimOf(batchId, chunk);
      const rows = await batches.claim(claim, input.pipeline, size).catch((err: unknown) => {
        throw toStoreFailure(err, `claiming pending cases for ${claim}`);
      });
      const split = splitRows(rows, caseLimits);
      const rejected: ProcessedRow[] = split.rejections.map((r) => ({
        caseId: r.caseId ?? '',
        decisionId: null,
        outcome: 'rejected',
        error: r.reason,
      }));
      await batches.markProcessed(claim, rejected).catch((err: unknown) => {
        throw toStoreFailure(err, `marking rejected rows of ${claim}`);
      });
      read = { ...split, read: rows.length, next: from, done: rows.length < size };
    }
    await batches.recordRejections(batchId, read.rejections, storeInput).catch((err: unknown) => {
      throw toStoreFailure(err, `recording rejections of batch ${batchId}`);
    });
    stage.put(batchId, chunk, read.cases);
    return {
      chunk,
      cases: read.cases.length,
      read: read.read,
      rejections: read.rejections.map(({ input: _input, ...r }) => r),
      from,
      next: read.next,
      done: read.done,
      readMs: performance.now() - started,
    };
  };
}
