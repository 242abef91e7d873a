import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { PinnedRuleSet } from '../core/batch/schema';
import {
  backtestProgressQuery,
  BacktestWorkflowInputSchema,
  type BacktestCursor,
  type BacktestProgress,
  type BacktestWorkflowInput,
} from '../core/lab/backtest';
import { rootApplicationFailure, workflowFailure } from '../core/failures';
import type { PinnedPipeline } from '../core/pipeline/types';

type Activities = ReturnType<typeof createActivities>;

// Chunks are regular activities: each completion is a workflow task, so the progress query is
// answered between chunks, as in the batch workflow.
const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 };
const { openBacktest, closeBacktest } = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry });
const { replayChunk } = proxyActivities<Activities>({ startToCloseTimeout: '10m', retry });

/** Chunks per run before continue-as-new (sooner when the server suggests it). */
const CHUNKS_PER_RUN = 200;

const details = (p: BacktestProgress): string =>
  `backtest ${p.backtestId}: ${p.state}, ${p.replayed}/${p.total ?? '?'} replayed, ${p.failed} failed`;

/**
 * Replays a candidate pipeline over the stored inputs of past decisions, in chunks (each model step
 * one call per chunk), deciding each case as the candidate would (its rule set, or the decision's
 * thresholds) and recording it in `backtest_cases` — never in `decisions`. Closes with the report
 * (`backtests.report`). Answers `backtestProgressQuery` throughout; continues as new with its
 * cursor, pins and progress when the history grows long. Returns the progress.
 */
export async function backtestWorkflow(raw: BacktestWorkflowInput): Promise<BacktestProgress> {
  const args = BacktestWorkflowInputSchema.parse(raw);
  const { backtestId, request } = args;
  const progress = {
    current: args.progress ?? {
      ...{ backtestId, state: 'running' as const, pipeline: null, rules: null, total: null },
      ...{ replayed: 0, failed: 0, chunks: 0, lastError: null },
    },
  };
  setHandler(backtestProgressQuery, () => progress.current);
  let next: BacktestCursor | undefined;
  let pins: { pinned: PinnedPipeline; rules: PinnedRuleSet | null } | undefined;
  try {
    if (args.pinned && args.pinnedRules !== undefined) pins = { pinned: args.pinned, rules: args.pinnedRules };
    else {
      const opened = await openBacktest({ backtestId, workflowId: workflowInfo().workflowId, request });
      pins = { pinned: opened.pinned, rules: opened.rules };
      progress.current = {
        ...progress.current,
        total: opened.total,
        pipeline: { name: opened.pinned.name, version: opened.pinned.version },
        rules: opened.rules ? { name: opened.rules.name, version: opened.rules.version } : null,
      };
    }
    let cursor: BacktestCursor = args.cursor ?? null;
    for (let ran = 1; ; ran++) {
      const got = await replayChunk({ backtestId, request, ...pins, cursor });
      const { replayed, failed, chunks } = progress.current;
      progress.current = {
        ...progress.current,
        replayed: replayed + got.cases,
        failed: failed + got.failed,
        chunks: chunks + 1,
      };
      setCurrentDetails(details(progress.current));
      if (got.next === null) break;
      cursor = got.next;
      if (ran >= CHUNKS_PER_RUN || workflowInfo().continueAsNewSuggested) {
        next = cursor;
        break;
      }
    }
    if (next === undefined) {
      progress.current = { ...progress.current, state: 'done' };
      await closeBacktest({ progress: progress.current, request });
    }
  } catch (err) {
    const failure = workflowFailure(err);
    progress.current = {
      ...progress.current,
      state: 'failed',
      lastError: (rootApplicationFailure(failure) ?? failure).message,
    };
    await CancellationScope.nonCancellable(() => closeBacktest({ progress: progress.current, request })).catch(
      () => undefined,
    );
    await condition(allHandlersFinished);
    throw failure;
  }
  setCurrentDetails(details(progress.current));
  await condition(allHandlersFinished);
  if (next !== undefined && pins)
    await continueAsNew<typeof backtestWorkflow>({
      ...args,
      cursor: next,
      progress: progress.current,
      pinned: pins.pinned,
      pinnedRules: pins.rules,
    });
  return progress.current;
}
