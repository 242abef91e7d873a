import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { ChunkScored } from '../core/batch/chunks';
import { BatchWorkflowInputSchema, type BatchWorkflowArgs, type BatchWorkflowInput } from '../core/batch/input';
import { batchProgressQuery, type BatchProgress } from '../core/batch/progress';
import { batchIdOf, FILE_START, type FileCursor, type PinnedRuleSet } from '../core/batch/schema';
import { freshProgress, progressDetails, withRead, withScored } from '../core/batch/tally';
import { toCaseIssues } from '../core/case';
import { Failure, rootApplicationFailure, workflowFailure } from '../core/failures';
import type { PinnedPipeline } from '../core/pipeline/types';
import { waitOutOutage } from './outage';

type Activities = ReturnType<typeof createActivities>;

// Pinning is what a decision does at start: local activities, as in the decision workflow.
const { loadPipeline, loadRuleSet } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 5 },
});

// Chunks are regular activities: each completion is a workflow task, so the progress query is
// answered between chunks (a chain of local activities would hold one workflow task open).
const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 };
const { openBatch, readChunk, closeBatch } = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry });
const { scoreChunk } = proxyActivities<Activities>({ startToCloseTimeout: '10m', retry });

interface Pins {
  batchId: string;
  pinned: PinnedPipeline;
  rules: PinnedRuleSet | undefined;
}

/** What a run hands the next one when it continues as new. */
type Next = BatchWorkflowArgs & { cursor: FileCursor; totals: BatchProgress };

/** Pins the pipeline and rule set (once per batch: later runs get them in their input) and opens the batch. */
async function pin(args: BatchWorkflowArgs, batchId: string, progress: { current: BatchProgress }): Promise<Pins> {
  const { rules: ruleSetName } = args;
  const pinned = args.pinned ?? (await waitOutOutage('loadPipeline', () => loadPipeline({ name: args.pipeline })));
  const rules = ruleSetName
    ? (args.pinnedRules ?? (await waitOutOutage('loadRuleSet', () => loadRuleSet(ruleSetName))))
    : undefined;
  const pipeline = { name: pinned.name, version: pinned.version };
  const ruleSet = rules ? { name: rules.name, version: rules.version } : null;
  progress.current = { ...progress.current, pipeline, rules: ruleSet };
  if (!args.totals) {
    const { workflowId } = workflowInfo();
    const opened = { batchId, workflowId, source: args.source, pipeline, ruleSet: ruleSet?.name ?? null };
    const { total } = await openBatch(opened);
    progress.current = { ...progress.current, total };
  }
  return { batchId, pinned, rules };
}

/** Starts an activity whose promise is awaited later: a failure meanwhile must not go unhandled. */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Reads, scores and records chunks until the source is drained (returns undefined) or this run has
 * done its share (returns the next run's input). Reads are sequential (each starts where the last
 * ended), one ahead of scoring; up to `parallelChunks` chunks are scored at once. Progress is added
 * in chunk order, and every chunk of a run is finished before it hands over.
 */
async function runChunks(
  args: BatchWorkflowArgs,
  pins: Pins,
  progress: { current: BatchProgress },
): Promise<Next | undefined> {
  const { batchId, pinned, rules } = pins;
  const read = (from: FileCursor, chunk: number) =>
    started(readChunk({ batchId, source: args.source, chunk, size: args.chunkSize, from, pipeline: pinned.name }));
  const scoring: Promise<ChunkScored>[] = [];
  const finishOldest = async () => {
    const oldest = scoring.shift();
    if (oldest) progress.current = withScored(progress.current, await oldest);
    setCurrentDetails(progressDetails(progress.current));
  };
  let pending = read(args.cursor ?? FILE_START, progress.current.chunks);
  for (let ran = 1; ; ran++) {
    const got = await pending;
    progress.current = withRead(progress.current, got);
    const rotate = !got.done && (ran >= args.chunksPerRun || workflowInfo().continueAsNewSuggested);
    if (!got.done && !rotate) pending = read(got.next, got.chunk + 1);
    if (got.cases > 0) {
      const { chunk, from, next: to } = got;
      const input = { batchId, source: args.source, chunk, from, to, pinned, rules, thresholds: args.thresholds };
      scoring.push(started(scoreChunk(input)));
    }
    while (scoring.length >= args.parallelChunks || ((got.done || rotate) && scoring.length > 0)) await finishOldest();
    if (got.done) return undefined;
    if (rotate) return { ...args, batchId, cursor: got.next, totals: progress.current, pinned, pinnedRules: rules };
  }
}

/**
 * Decides a batch of cases — an NDJSON file or the `pending_cases` table — in chunks through one
 * pinned pipeline (each model step one call per chunk), recording every decision in the log like
 * any other. Answers `batchProgressQuery` throughout; continues as new every `chunksPerRun` chunks
 * (or when the server suggests it), carrying the cursor, the totals and the pins. Returns the progress.
 */
export async function batchWorkflow(raw: BatchWorkflowInput): Promise<BatchProgress> {
  const parsed = BatchWorkflowInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = toCaseIssues(parsed.error);
    const message = `invalid batch: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
    throw ApplicationFailure.create({ type: Failure.Batch.Invalid, message, nonRetryable: true, details: [issues] });
  }
  const args = parsed.data;
  const batchId = args.batchId ?? batchIdOf(workflowInfo().workflowId);
  const progress = {
    current: args.totals
      ? { ...args.totals, runs: args.totals.runs + 1 }
      : freshProgress(batchId, args.source, new Date().toISOString()),
  };
  setHandler(batchProgressQuery, () => progress.current);
  let next: Next | undefined;
  try {
    next = await runChunks(args, await pin(args, batchId, progress), progress);
    if (!next) {
      progress.current = { ...progress.current, state: 'done', finishedAt: new Date().toISOString() };
      setCurrentDetails(progressDetails(progress.current));
      await closeBatch(progress.current);
    }
  } catch (err) {
    const failure = workflowFailure(err);
    const lastError = rootMessage(failure);
    progress.current = { ...progress.current, state: 'failed', finishedAt: new Date().toISOString(), lastError };
    setCurrentDetails(progressDetails(progress.current));
    // Recorded even when the batch was cancelled; failing to record must not hide the failure.
    await CancellationScope.nonCancellable(() => closeBatch(progress.current)).catch(() => undefined);
    await condition(allHandlersFinished);
    throw failure;
  }
  await condition(allHandlersFinished);
  if (next) await continueAsNew<typeof batchWorkflow>(next);
  return progress.current;
}

/** The deepest ApplicationFailure's message (an activity's own), else the failure's. */
function rootMessage(err: Error): string {
  return (rootApplicationFailure(err) ?? err).message;
}
