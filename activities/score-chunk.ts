import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ChunkScored, ScoreChunkInput } from '../core/batch/chunks';
import { rejectionOf } from '../core/batch/ndjson';
import type { BatchCase } from '../core/batch/schema';
import type { CaseLimits } from '../core/case-limits';
import { decideScored, type ChunkContext } from '../core/batch/verdict';
import type { Outcome } from '../core/decision';
import { Failure } from '../core/failures';
import { runBatchPipeline } from '../core/pipeline/batch';
import type { DecisionRecord } from '../core/records';
import type { ModelRuntime } from '../models/runtime';
import { toStoreFailure } from '../stores/pg-errors';
import type { BatchStore, ChunkRecorded, ProcessedRow, StoredBatchRejection } from '../stores/batch-store';
import { claimOf, readFileCases, splitRows, type ChunkStage } from './batch-read';
import { createBatchPredict } from './batch-predict';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import { countDecision } from './count';

/** What `scoreChunk` needs: the batch tables, the models, the chunks `readChunk` staged here. */
export interface ScoreChunkDeps {
  batches: BatchStore;
  runtime: ModelRuntime;
  stage: ChunkStage;
  /** Keep each case's input in the decision log. */
  storeInput: boolean;
  /** The same limits `readChunk` applied, so a chunk read again holds the same cases. @default the defaults */
  caseLimits?: CaseLimits;
  /** Counts the decisions and cases a chunk wrote for the first time. @default not counted */
  metrics?: ArbiterMetrics;
}

function execution(): { workflowId: string; runId: string; signal?: AbortSignal } {
  const { info, cancellationSignal } = Context.current();
  const run = info.workflowExecution ?? { workflowId: 'standalone', runId: 'standalone' };
  return { workflowId: run.workflowId, runId: run.runId, signal: cancellationSignal };
}

/** The chunk `readChunk` staged here, or the same cases read again from the source. */
async function casesOf(input: ScoreChunkInput, deps: ScoreChunkDeps): Promise<BatchCase[]> {
  const staged = deps.stage.take(input.batchId, input.chunk);
  if (staged) return staged;
  if (input.source.kind === 'file') {
    const lines = Math.max(input.to.line - input.from.line, 0);
    return (await readFileCases(input.source.path, input.from, lines, input.to.offset, deps.caseLimits)).cases;
  }
  const claim = claimOf(input.batchId, input.chunk);
  const rows = await deps.batches.claimed(claim).catch((err: unknown) => {
    throw toStoreFailure(err, `reading the rows of ${claim}`);
  });
  return splitRows(rows, deps.caseLimits).cases;
}

/** A bug in a pinned pipeline (a model that was not pinned) fails the batch, never retried. */
function pipelineBug(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  return ApplicationFailure.create({
    type: Failure.Batch.PipelineFailed,
    message: err instanceof Error ? err.message : String(err),
    nonRetryable: true,
    cause: err instanceof Error ? err : undefined,
  });
}

/**
 * Builds `scoreChunk`: one chunk through the pinned pipeline (each model step one call for all its
 * rows), decided by the rule set or the thresholds, and written to the decision log in one
 * transaction (one multi-row INSERT … ON CONFLICT DO NOTHING). Idempotent: a retry writes nothing twice.
 */
export function createScoreChunk(deps: ScoreChunkDeps) {
  return async function scoreChunk(input: ScoreChunkInput): Promise<ChunkScored> {
    const { workflowId, runId, signal } = execution();
    const t0 = performance.now();
    const cases = await casesOf(input, deps);
    const t1 = performance.now();
    const { rows, calls } = await runBatchPipeline(
      input.pinned,
      cases.map((c) => c.input),
      createBatchPredict(deps.runtime, signal),
    ).catch((err: unknown) => {
      throw pipelineBug(err);
    });
    const ctx: ChunkContext = {
      ...{ batchId: input.batchId, pinned: input.pinned, rules: input.rules, thresholds: input.thresholds },
      ...{ workflowId, runId, decidedAt: new Date().toISOString(), pipelineMs: Math.round(performance.now() - t1) },
    };
    const decisions: DecisionRecord[] = [];
    const rejections: StoredBatchRejection[] = [];
    const processed: ProcessedRow[] = [];
    const byOutcome: Record<Outcome, number> = { approve: 0, review: 0, decline: 0 };
    let failed = 0;
    let lastError: string | null = null;
    for (const [i, row] of rows.entries()) {
      const c = cases[i] as BatchCase;
      if (row.kind === 'scored') {
        const decision = await decideScored(c, row, ctx).catch((err: unknown) => {
          throw pipelineBug(err);
        });
        decisions.push(decision);
        byOutcome[decision.outcome] += 1;
        processed.push({ caseId: c.caseId, decisionId: decision.decisionId, outcome: decision.outcome, error: null });
      } else if (row.kind === 'rejected') {
        const rejection = rejectionOf(c.line, c.caseId, row.issues);
        rejections.push({ ...rejection, input: c.input });
        processed.push({ caseId: c.caseId, decisionId: null, outcome: 'rejected', error: rejection.reason });
      } else {
        failed += 1;
        lastError = `${c.caseId}: ${row.error.type}: ${row.error.message}`;
        processed.push({ caseId: c.caseId, decisionId: null, outcome: 'failed', error: lastError });
      }
    }
    const t2 = performance.now();
    const timings = { readMs: t1 - t0, scoreMs: t2 - t1 };
    const recorded = await deps.batches
      .recordChunk(
        {
          ...{ batchId: input.batchId, chunk: input.chunk, runId, decisions, rejections },
          ...(input.source.kind === 'table'
            ? { processed: { claim: claimOf(input.batchId, input.chunk), rows: processed } }
            : {}),
          summary: { cases: cases.length, failed, calls, timings },
        },
        { storeInput: deps.storeInput },
      )
      .catch((err: unknown) => {
        throw toStoreFailure(err, `recording chunk ${input.chunk} of batch ${input.batchId}`);
      });
    countChunk(deps.metrics, input.pinned.name, decisions, recorded, { rejected: rejections.length, failed });
    return {
      chunk: input.chunk,
      decided: decisions.length,
      alreadyRecorded: decisions.length - recorded.inserted.length,
      byOutcome,
      rejections: rejections.map(({ input: _input, ...r }) => r),
      failed,
      lastError,
      ...timings,
      recordMs: performance.now() - t2,
    };
  };
}

/** A chunk's new decisions (once each, like a single decision's) and its cases, when the chunk itself was new. */
function countChunk(
  metrics: ArbiterMetrics | undefined,
  pipeline: string,
  decisions: readonly DecisionRecord[],
  recorded: ChunkRecorded,
  others: { rejected: number; failed: number },
): void {
  if (!metrics) return;
  const fresh = new Set(recorded.inserted);
  for (const d of decisions) if (fresh.has(d.decisionId)) countDecision(metrics, d, 'batch', undefined);
  if (!recorded.newChunk) return;
  metrics.batchCases.inc({ pipeline, result: 'decided' }, decisions.length);
  metrics.batchCases.inc({ pipeline, result: 'rejected' }, others.rejected);
  metrics.batchCases.inc({ pipeline, result: 'failed' }, others.failed);
}
