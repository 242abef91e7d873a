import { DEFAULT_OUTAGE_TOLERANCE_MS } from '../core/outage';
import type { Logger } from 'pino';
import type { CaseLimits } from '../core/case-limits';
import type { DecisionResult } from '../core/decision';
import type { ModelRuntime } from '../models/runtime';
import type { ResultCache } from '../stores/cache';
import type { DecisionStore } from '../stores/decision-store';
import type { PipelineStore } from '../stores/pipeline-store';
import type { ModelRegistry } from '../stores/registry-store';
import type { RuleSetStore } from '../stores/rules-store';
import type { VectorStore } from '../stores/vector';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import { FeedbackStore } from '../stores/feedback-store';
import { createBacktestActivities } from './backtest';
import { createBatchActivities } from './batch';
import { createCallModel } from './call-model';
import { createFeedbackActivities } from './feedback';
import { createLoadPipeline } from './load-pipeline';
import { PinCache } from './pin-cache';
import { registryGeneration } from '../stores/registry-generation';
import { createLoadRuleSet } from './load-rule-set';
import type { LocalLoad } from './local-load';
import { createRecordModelCalls } from './record-calls';
import { createRecorders } from './record';
import { createSimilarityActivities } from './similarity';

/** What the orchestrator's activities need; injected so tests can hand in real or local peers. */
export interface ActivityDeps {
  store: DecisionStore;
  registry: ModelRegistry;
  pipelines: PipelineStore;
  rules: RuleSetStore;
  runtime: ModelRuntime;
  /** Step results cache (Redis or memory); steps without `cache` never touch it. */
  cache?: ResultCache;
  /** The `auto` placement policy's view of this worker's load. */
  load?: LocalLoad;
  /** Similar past cases (pipelines with a `similarity` section); absent, they report it unavailable. */
  vectors?: VectorStore;
  /** Keep each case's input in the decision log (its hash is always kept). @default true */
  storeInput?: boolean;
  /** How long a decision waits out an unreachable store (ARBITER_OUTAGE_TOLERANCE), in ms. @default 600000 */
  outageToleranceMs?: number;
  /** Batch cases over them are rejections (config/env.ts `caseLimitsOf`). @default core/case-limits.ts's */
  caseLimits?: CaseLimits;
  /** The worker's log: activities add the decision id to their lines. @default none */
  log?: Logger;
  /** Where decisions, model calls, searches and batch cases are counted. @default not counted */
  metrics?: ArbiterMetrics;
  /** Hears each decision once its row is written (`RecorderOptions.answer`). @default none */
  answer?: (decision: DecisionResult) => void;
  /**
   * The registry's generation without a query, where the database tells this process of each
   * change (the embedded one: `EmbeddedPostgres.registryGeneration`); `undefined` from it means
   * read the table. @default a read of registry_generation a pin
   */
  registryGeneration?: () => string | undefined;
}

/** Every activity a decision workflow calls (STYLE rule 3). Workflows import this as a type only. */
export function createActivities(deps: ActivityDeps) {
  // One per worker: pinning reads the registry only when it changed (activities/pin-cache.ts).
  const watched = deps.registryGeneration;
  const pins = new PinCache(async () => watched?.() ?? registryGeneration(deps.store.pool));
  // pgvector lives in the log's database: the record's own activity searches and stores case vectors.
  const besideLog = deps.vectors?.kind === 'pgvector' ? deps.vectors : undefined;
  const similarity = createSimilarityActivities(deps);
  return {
    loadPipeline: createLoadPipeline({ ...deps, pins, searchInRecord: besideLog !== undefined }),
    loadRuleSet: createLoadRuleSet(deps.rules, pins),
    callModel: createCallModel(deps),
    recordModelCalls: createRecordModelCalls(deps.store),
    ...createRecorders(deps.store, {
      storeInput: deps.storeInput ?? true,
      log: deps.log,
      metrics: deps.metrics,
      vectors: besideLog,
      findSimilar: similarity.findSimilar,
      answer: deps.answer,
    }),
    ...similarity,
    ...createFeedbackActivities({ feedback: new FeedbackStore(deps.store.pool), vectors: deps.vectors }),
    ...createBatchActivities(deps),
    ...createBacktestActivities(deps),
    /** The floor workflow's (workflows/floor.ts): nothing, so that what is timed is Temporal's round trip. */
    noop: (): Promise<void> => Promise.resolve(),
    /** This worker's outage tolerance, read once by a workflow whose store became unreachable (recorded, so replay-safe). */
    outageTolerance: (): Promise<number> => Promise.resolve(deps.outageToleranceMs ?? DEFAULT_OUTAGE_TOLERANCE_MS),
  };
}

export type { CallModelInput, CallModelOutput } from './call-model';
