import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { PinnedRuleSet } from '../core/batch/schema';
import { applyThresholds, DEFAULT_THRESHOLDS, type Outcome } from '../core/decision';
import { DEFAULT_CUTOFF } from '../core/feedback';
import { Failure } from '../core/failures';
import type { BacktestArgs, BacktestCursor, BacktestProgress } from '../core/lab/backtest';
import { backtestReport, type BacktestCase } from '../core/lab/report';
import { parseModelRef, type PinnedModel } from '../core/model-ref';
import { runBatchPipeline, type RowResult } from '../core/pipeline/batch';
import { modelRefsOf } from '../core/pipeline/check';
import type { PinnedPipeline } from '../core/pipeline/types';
import { evaluateRules } from '../core/rules/evaluate';
import { buildFacts } from '../core/rules/facts';
import { summarizeSimilar } from '../core/similar';
import type { ModelRuntime } from '../models/runtime';
import { BacktestStore, type SelectedDecision, type Selection } from '../stores/backtest-store';
import { toStoreFailure } from '../stores/pg-errors';
import type { PipelineStore } from '../stores/pipeline-store';
import type { ModelRegistry } from '../stores/registry-store';
import { RuleSetNotFoundError, type RuleSetStore } from '../stores/rules-store';
import type { DecisionStore } from '../stores/decision-store';
import { createBatchPredict } from './batch-predict';
import { toLoadFailure } from './load-pipeline';

/** What the backtest activities need (a subset of the orchestrator's `ActivityDeps`). */
export interface BacktestActivityDeps {
  store: DecisionStore;
  registry: ModelRegistry;
  pipelines: PipelineStore;
  rules: RuleSetStore;
  runtime: ModelRuntime;
}

export interface OpenBacktestInput {
  backtestId: string;
  workflowId: string;
  request: BacktestArgs;
}

export interface ReplayChunkInput {
  backtestId: string;
  request: BacktestArgs;
  pinned: PinnedPipeline;
  rules: PinnedRuleSet | null;
  cursor: BacktestCursor;
}

/** What one replayed chunk came to; `next` is null once the selection is drained. */
export interface ReplayedChunk {
  cases: number;
  failed: number;
  next: BacktestCursor;
}

export function selectionOf(request: BacktestArgs, pipeline: string): Selection {
  return {
    pipeline: request.against ?? pipeline,
    ...(request.since ? { since: request.since } : {}),
    ...(request.until ? { until: request.until } : {}),
    ...(request.decisionIds ? { decisionIds: request.decisionIds } : {}),
  };
}

const candidateName = (request: BacktestArgs): string =>
  'spec' in request.candidate ? request.candidate.spec.name : request.candidate.name;

/** The candidate as a backtest pins it: a stored version (the latest live one by default) or a file's spec. */
async function pinCandidate(deps: BacktestActivityDeps, request: BacktestArgs): Promise<PinnedPipeline> {
  const { candidate } = request;
  const stored =
    'spec' in candidate
      ? { name: candidate.spec.name, version: 'file', spec: candidate.spec }
      : await deps.pipelines.get(candidate.name, candidate.version);
  const pins: Record<string, PinnedModel> = {};
  for (const ref of modelRefsOf(stored.spec)) {
    const version = await deps.registry.resolve(parseModelRef(ref));
    pins[ref] = { name: version.name, version: version.version };
  }
  return { name: stored.name, version: stored.version, spec: stored.spec, pins };
}

/** The rule set that decides the candidate's outcomes: as asked, else the one that decided the latest replayed decision. */
async function pinRules(
  deps: BacktestActivityDeps,
  backtests: BacktestStore,
  request: BacktestArgs,
  selection: Selection,
): Promise<PinnedRuleSet | null> {
  const chosen = request.rules ?? (await backtests.latestRuleSet(selection));
  if (!chosen) return null;
  if ('spec' in chosen) return { name: chosen.spec.name, version: 'file', spec: chosen.spec };
  const { version, spec } = await deps.rules.get(chosen.name, chosen.version);
  return { name: chosen.name, version, spec };
}

/** The candidate's verdict on one replayed decision: by the rule set, else by the thresholds the decision had. */
async function verdictOf(
  d: SelectedDecision,
  row: Extract<RowResult, { kind: 'scored' }>,
  pinned: PinnedPipeline,
  rules: PinnedRuleSet | null,
): Promise<Outcome> {
  if (!rules) return applyThresholds(row.score, d.thresholds ?? DEFAULT_THRESHOLDS).outcome;
  const facts = buildFacts({
    score: row.score,
    degraded: row.degraded,
    calls: row.calls,
    input: d.input,
    pipeline: { name: pinned.name, version: pinned.version },
    // What the decision's similarity search found then: a replay does not search again.
    similar: d.similar ? summarizeSimilar(d.similar) : null,
  });
  return (await evaluateRules(rules.spec, facts)).outcome;
}

function caseOf(d: SelectedDecision, row: RowResult, outcome: Outcome | null): BacktestCase & { decidedAt: string } {
  const scored = row.kind === 'scored' ? row : undefined;
  const error =
    row.kind === 'rejected'
      ? `rejected: ${row.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
      : row.kind === 'failed'
        ? `${row.error.type}: ${row.error.message}`
        : null;
  return {
    decisionId: d.decisionId,
    caseId: d.caseId,
    decidedAt: d.decidedAt,
    decided: { outcome: d.outcome, score: d.score },
    candidate: scored && outcome ? { outcome, score: scored.score } : null,
    label: d.label,
    members: (scored?.calls ?? []).flatMap((c) =>
      c.status === 'ok' && typeof c.score === 'number'
        ? [{ model: c.model, version: c.version, arm: c.arm, score: c.score }]
        : [],
    ),
    error,
  };
}

/** Builds the backtest workflow's activities: open (pin, count, record), replay a chunk, close (report). */
export function createBacktestActivities(deps: BacktestActivityDeps) {
  const backtests = new BacktestStore(deps.store.pool);
  return {
    openBacktest: async (
      input: OpenBacktestInput,
    ): Promise<{ pinned: PinnedPipeline; rules: PinnedRuleSet | null; total: number }> => {
      const { request } = input;
      const pinned = await pinCandidate(deps, request).catch((err: unknown) => {
        throw toLoadFailure(err, `candidate pipeline ${candidateName(request)}`);
      });
      const selection = selectionOf(request, pinned.name);
      const rules = await pinRules(deps, backtests, request, selection).catch((err: unknown) => {
        if (err instanceof RuleSetNotFoundError)
          throw ApplicationFailure.create({ type: Failure.Rules.NotFound, message: err.message, nonRetryable: true });
        throw toStoreFailure(err, 'pinning the backtest rule set');
      });
      try {
        const total = await backtests.countSelected(selection);
        await backtests.start({
          ...{ backtestId: input.backtestId, workflowId: input.workflowId, request, against: selection.pipeline },
          ...{ pipeline: { name: pinned.name, version: pinned.version }, total, actor: request.actor ?? null },
          rules: rules ? { name: rules.name, version: rules.version } : null,
        });
        return { pinned, rules, total };
      } catch (err) {
        throw toStoreFailure(err, `recording backtest ${input.backtestId}`);
      }
    },

    /** Replays the next chunk of selected decisions through the candidate (one call per model step) and records it. */
    replayChunk: async (input: ReplayChunkInput): Promise<ReplayedChunk> => {
      const { request, pinned, rules } = input;
      const selection = selectionOf(request, pinned.name);
      const chunk = await backtests.readSelected(selection, input.cursor, request.chunkSize).catch((err: unknown) => {
        throw toStoreFailure(err, `reading decisions for backtest ${input.backtestId}`);
      });
      if (chunk.length === 0) return { cases: 0, failed: 0, next: null };
      const { rows } = await runBatchPipeline(
        pinned,
        chunk.map((d) => d.input),
        createBatchPredict(deps.runtime, Context.current().cancellationSignal),
        chunk.map((d) => d.workflowId),
      ).catch((err: unknown) => {
        // Only a bug in the pinned pipeline (a model that was not pinned) throws: never retried.
        throw ApplicationFailure.create({
          type: Failure.Batch.PipelineFailed,
          message: err instanceof Error ? err.message : String(err),
          nonRetryable: true,
          cause: err instanceof Error ? err : undefined,
        });
      });
      const cases: (BacktestCase & { decidedAt: string })[] = [];
      for (const [i, d] of chunk.entries()) {
        const row = rows[i] as RowResult;
        const outcome = row.kind === 'scored' ? await verdictOf(d, row, pinned, rules) : null;
        cases.push(caseOf(d, row, outcome));
      }
      await backtests.recordCases(input.backtestId, cases).catch((err: unknown) => {
        throw toStoreFailure(err, `recording backtest ${input.backtestId}`);
      });
      const last = chunk.at(-1) as SelectedDecision;
      const drained = chunk.length < request.chunkSize;
      return {
        cases: cases.length,
        failed: cases.filter((c) => !c.candidate).length,
        next: drained ? null : { decidedAt: last.decidedAt, decisionId: last.decisionId },
      };
    },

    /** Computes the report from the recorded cases and records how the backtest ended. */
    closeBacktest: async (input: { progress: BacktestProgress; request: BacktestArgs }): Promise<void> => {
      const { progress, request } = input;
      try {
        const report =
          progress.state === 'done'
            ? backtestReport(await backtests.cases(progress.backtestId), {
                ...{ seed: request.seed, changedLimit: request.changedLimit, cutoff: DEFAULT_CUTOFF },
              })
            : null;
        await backtests.finish(
          progress.backtestId,
          progress.state === 'done' ? 'done' : 'failed',
          report,
          progress.lastError,
        );
      } catch (err) {
        throw toStoreFailure(err, `closing backtest ${progress.backtestId}`);
      }
    },
  };
}
