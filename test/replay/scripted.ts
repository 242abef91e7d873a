// Scripted activities for the recorder: each model answers (or fails) as its scenario says, after
// the delay it says. Only timing and failure types matter to the workflow; no store is touched.
import { ApplicationFailure } from '@temporalio/common';
import type { CallModelInput } from '../../activities/call-model';
import { Failure } from '../../core/failures';
import { PipelineSpecSchema, type PipelineSpecInput } from '../../core/pipeline/spec';
import type { PinnedPipeline } from '../../core/pipeline/types';
import type { PinnedRuleSet } from '../../activities/load-rule-set';
import type { CaseVectorToKeep, RuledDecisionInput } from '../../activities/record';
import { createRecordSearched } from '../../activities/record-searched';
import { evaluateRules } from '../../core/rules/evaluate';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pipeline pinned at version 1 with every model it names pinned at version 1. */
export function pinnedPipeline(spec: PipelineSpecInput, models: string[]): PinnedPipeline {
  return {
    name: spec.name,
    version: '1',
    spec: PipelineSpecSchema.parse(spec),
    pins: Object.fromEntries(models.map((name) => [name, { name, version: '1' }])),
  };
}

/** How one scripted model behaves. */
export interface ModelScript {
  /** @default 20 */
  ms?: number;
  /** @default 0.9 */
  score?: number;
  /** Fails, non-retryable, with this failure type. */
  fails?: string;
  /** Only the first this many calls fail (an outage that ends). @default every call */
  failsFirst?: number;
}

export interface Script {
  pipeline: PinnedPipeline;
  /** Models not named answer 0.9 after 20 ms. */
  models?: Record<string, ModelScript>;
  /** `findSimilar` fails (the embedder is down) instead of finding nothing. @default false */
  embedderDown?: boolean;
  /** The first this many `loadPipeline` calls fail with a retryable `Store.Unavailable`. @default 0 */
  storeDownFor?: number;
  /** What `loadRuleSet` pins. @default none: it fails */
  ruleSet?: PinnedRuleSet;
  /**
   * The record's activity stores the case vector it is given (pgvector beside the log), so the
   * workflow runs no `rememberCase`. @default false: a remote store, `rememberCase` after the answer
   */
  vectorsBesideLog?: boolean;
}

/** The decision workflow's activities, as the script says. */
export function scriptedActivities({
  pipeline,
  models = {},
  embedderDown = false,
  storeDownFor = 0,
  ruleSet,
  vectorsBesideLog = false,
}: Script) {
  let loads = 0;
  const kept = (keep: CaseVectorToKeep | undefined) => (vectorsBesideLog && keep ? { remembered: true as const } : {});
  const calls = new Map<string, number>();
  const findSimilar = async () => {
    await sleep(10);
    if (embedderDown)
      throw ApplicationFailure.create({
        type: Failure.Model.Unavailable,
        message: 'embedder down',
        nonRetryable: true,
      });
    return { vector: [0.6, 0.8], matches: [], latencyMs: 10 };
  };
  return {
    loadPipeline: async () => {
      await sleep(10);
      if (++loads <= storeDownFor)
        throw ApplicationFailure.create({ type: Failure.Store.Unavailable, message: 'connection refused' });
      return pipeline;
    },
    outageTolerance: () => Promise.resolve(60_000),
    loadRuleSet: async () => {
      await sleep(10);
      if (!ruleSet) throw new Error('this scenario scripts no rule set');
      return ruleSet;
    },
    callModel: async ({ model }: CallModelInput) => {
      const m = models[model.name] ?? {};
      const n = (calls.get(model.name) ?? 0) + 1;
      calls.set(model.name, n);
      await sleep(m.ms ?? 20);
      if (m.fails && n <= (m.failsFirst ?? Infinity)) {
        const issues = [{ path: 'input.url', message: 'expected a string' }];
        throw ApplicationFailure.create({
          type: m.fails,
          message: `${model.name}: ${m.fails}`,
          nonRetryable: true,
          details: [issues],
        });
      }
      return { output: { score: m.score ?? 0.9 }, latencyMs: m.ms ?? 20 };
    },
    findSimilar,
    rememberCase: () => Promise.resolve(),
    annotateCase: () => Promise.resolve(),
    recordDecision: (_r: unknown, _c: unknown, _at: unknown, _via: unknown, keep?: CaseVectorToKeep) =>
      Promise.resolve(kept(keep)),
    recordRuledDecision: async (
      { ruleSet: pinned, facts }: RuledDecisionInput,
      _c: unknown,
      _at: unknown,
      _via: unknown,
      keep?: CaseVectorToKeep,
    ) => {
      await sleep(10);
      return { verdict: await evaluateRules(pinned.spec, facts), rulesMs: 1, ...kept(keep) };
    },
    // The activity's own logic, writing nowhere (a first try: the row is new).
    recordSearchedDecision: createRecordSearched({
      findSimilar,
      write: (_r, _c, _at, _via, keep) => Promise.resolve({ ...kept(keep), inserted: true }),
      stored: () => Promise.resolve(undefined),
    }),
    recordModelCalls: () => Promise.resolve(),
    recordRejection: () => Promise.resolve(),
    recordReview: () => Promise.resolve(),
  };
}
