import type { Pool, PoolClient } from 'pg';
import type { BatchProgress } from '../core/batch/progress';
import type { BatchSource } from '../core/batch/schema';
import type { DecisionRecord } from '../core/records';
import {
  BatchRowSchema,
  ClaimedRowSchema,
  decisionRow,
  processedRow,
  rejectionRow,
  RejectionRowSchema,
  type ClaimedRow,
  type ProcessedRow,
  type StoredBatch,
  type StoredBatchRejection,
} from './batch-rows';
import * as sql from './batch-sql';

/** What `recordChunk` wrote: the new decisions' ids, and whether the chunk's row was new. */
export interface ChunkRecorded {
  inserted: string[];
  newChunk: boolean;
}

/** Everything one chunk writes, in one transaction. */
export interface ChunkWrite {
  batchId: string;
  chunk: number;
  runId: string;
  decisions: readonly DecisionRecord[];
  rejections: readonly StoredBatchRejection[];
  /** Table sources: the claim and what each claimed row came to. */
  processed?: { claim: string; rows: readonly ProcessedRow[] };
  summary: { cases: number; failed: number; calls: unknown; timings: Record<string, number> };
}

async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Batches in PostgreSQL: the pending-case queue, each batch's run, chunks and rejections. Idempotent writes. */
export class BatchStore {
  constructor(readonly pool: Pool) {}

  /** Adds cases to `pending_cases` (a case id already there is left as it is); returns how many were added. */
  async enqueue(cases: readonly { caseId: string; input: unknown; pipeline?: string }[]): Promise<number> {
    const rows = cases.map((c) => ({ case_id: c.caseId, input: c.input, pipeline: c.pipeline ?? null }));
    const { rowCount } = await this.pool.query(sql.ENQUEUE, [JSON.stringify(rows)]);
    return rowCount ?? 0;
  }

  /**
   * Claims up to `size` pending rows for `claim` (`<batch>#<chunk>`), skipping rows other batches
   * hold. A claim that already holds rows (a retried read) gets those back instead.
   */
  async claim(claim: string, pipeline: string, size: number): Promise<ClaimedRow[]> {
    const held = await this.claimed(claim);
    if (held.length > 0) return held;
    const { rows } = await this.pool.query(sql.CLAIM_PENDING, [claim, pipeline, size]);
    // RETURNING has no order; the queue's is enqueue time, then case id.
    const claimed = rows.map((r) => ClaimedRowSchema.parse(r));
    claimed.sort((a, b) => a.enqueued_at.getTime() - b.enqueued_at.getTime() || (a.case_id < b.case_id ? -1 : 1));
    return claimed.map((r) => ({ caseId: r.case_id, input: r.input }));
  }

  /** The rows a claim holds (to score a chunk staged in another process). */
  async claimed(claim: string): Promise<ClaimedRow[]> {
    const { rows } = await this.pool.query(sql.SELECT_CLAIMED, [claim]);
    return rows.map((r) => ClaimedRowSchema.parse(r)).map((r) => ({ caseId: r.case_id, input: r.input }));
  }

  /** Rows a batch for `pipeline` could claim now. */
  async countClaimable(pipeline: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(sql.COUNT_CLAIMABLE, [pipeline]);
    return rows[0]?.n ?? 0;
  }

  /**
   * Writes a chunk's decisions (one multi-row INSERT … ON CONFLICT DO NOTHING), its rejections, its
   * summary and, for table sources, what became of each claimed row — in one transaction. Returns
   * the ids of the decisions that were new (the rest were recorded by an earlier run of the batch
   * id) and whether the chunk itself was (a retried chunk is not counted twice).
   */
  async recordChunk(w: ChunkWrite, { storeInput }: { storeInput: boolean }): Promise<ChunkRecorded> {
    return inTransaction(this.pool, async (client) => {
      let inserted: string[] = [];
      if (w.decisions.length > 0) {
        const rows = w.decisions.map((d) => decisionRow(d, storeInput));
        const result = await client.query<{ decision_id: string }>(sql.INSERT_DECISIONS, [JSON.stringify(rows)]);
        inserted = result.rows.map((r) => r.decision_id);
      }
      if (w.rejections.length > 0) await insertRejections(client, w.batchId, w.rejections, storeInput);
      if (w.processed && w.processed.rows.length > 0) {
        const rows = w.processed.rows.map(processedRow);
        await client.query(sql.MARK_PROCESSED, [JSON.stringify(rows), w.processed.claim]);
      }
      const s = w.summary;
      const chunk = await client.query(sql.INSERT_CHUNK, [
        ...[w.batchId, w.chunk, w.runId, s.cases, w.decisions.length, w.rejections.length, s.failed],
        ...[JSON.stringify(s.calls), JSON.stringify(s.timings)],
      ]);
      return { inserted, newChunk: chunk.rowCount === 1 };
    });
  }

  /** Records rejections found while reading (bad lines, rows that are not cases). */
  async recordRejections(batchId: string, rejections: readonly StoredBatchRejection[], storeInput: boolean) {
    if (rejections.length > 0) await insertRejections(this.pool, batchId, rejections, storeInput);
  }

  /** Marks rows of a claim as processed without a decision (rejected while reading). */
  async markProcessed(claim: string, rows: readonly ProcessedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(sql.MARK_PROCESSED, [JSON.stringify(rows.map(processedRow)), claim]);
  }

  /** Records a batch as running (a re-run of its id starts its row afresh). */
  async startBatch(b: {
    batchId: string;
    workflowId: string;
    source: BatchSource;
    pipeline: { name: string; version: string };
    ruleSet: string | null;
    total: number | null;
  }): Promise<void> {
    await this.pool.query(sql.UPSERT_BATCH, [
      ...[b.batchId, b.workflowId, JSON.stringify(b.source), b.pipeline.name, b.pipeline.version],
      ...[b.ruleSet, b.total],
    ]);
  }

  /** Records how a batch ended, with its final counts (the progress without its rejections). */
  async finishBatch(workflowId: string, progress: BatchProgress): Promise<void> {
    const { rejections: _kept, ...counts } = progress;
    const p = progress;
    await this.pool.query(sql.FINISH_BATCH, [
      ...[p.batchId, workflowId, JSON.stringify(p.source), p.pipeline?.name ?? '', p.pipeline?.version ?? ''],
      ...[p.rules?.name ?? null, p.state === 'failed' ? 'failed' : 'done', p.total, JSON.stringify(counts)],
      ...[p.lastError, p.startedAt],
    ]);
  }

  /** A batch's row: how it ran or runs, with its final counts once it ended. */
  async getBatch(batchId: string): Promise<StoredBatch | undefined> {
    const { rows } = await this.pool.query(sql.SELECT_BATCH, [batchId]);
    return rows[0] === undefined ? undefined : BatchRowSchema.parse(rows[0]);
  }

  /** Every rejection of a batch, by line. */
  async listRejections(batchId: string): Promise<StoredBatchRejection[]> {
    const { rows } = await this.pool.query(sql.SELECT_REJECTIONS, [batchId]);
    return rows.map((r) => RejectionRowSchema.parse(r));
  }
}

async function insertRejections(
  db: Pick<Pool, 'query'>,
  batchId: string,
  rejections: readonly StoredBatchRejection[],
  storeInput: boolean,
): Promise<void> {
  const rows = rejections.map((r) => rejectionRow(storeInput ? r : { ...r, input: null }));
  await db.query(sql.INSERT_REJECTIONS, [batchId, JSON.stringify(rows)]);
}

export type { ClaimedRow, ProcessedRow, StoredBatch, StoredBatchRejection } from './batch-rows';
