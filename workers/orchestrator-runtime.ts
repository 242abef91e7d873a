import type { DataConverter } from '@temporalio/common';
import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { LocalLoad } from '../activities/local-load';
import { RuleSetsAdmin } from '../admin/rules';
import { seedFromDirs } from '../admin/seed';
import { RuleSetStore } from '../stores/rules-store';
import { parseModelRef } from '../core/model-ref';
import { redactedMessage } from '../core/redact';
import { modelRefsOf } from '../core/pipeline/check';
import { createResultCache, type ResultCache } from '../stores/cache';
import { DecisionStore } from '../stores/decision-store';
import { caseLimitsOf, type ArbiterEnv } from '../config/env';
import { createModelServices, type ModelServices } from '../admin/model-services';
import { startModelPool, type ModelPool } from './model-pool';
import { answerAtRecord, createOrchestratorWorker } from './orchestrator';
import { vectorStoreFromEnv } from './vector-store';
import type { VectorStore } from '../stores/vector';
import { createActivities } from '../activities';
import type { AnswerDesk } from '../client/answer-desk';
import type { DecisionPinner } from '../core/workflow-input';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import { readBacklog, readBreakers, readCache } from './metrics-readers';

/** Everything one orchestrator process runs, started together and stopped in reverse. */
export interface OrchestratorRuntime {
  models: ModelServices;
  store: DecisionStore;
  cache: ResultCache;
  /** Where case vectors live; undefined with ARBITER_VECTOR_STORE=none. */
  vectors: VectorStore | undefined;
  /**
   * Pins a decision's pipeline and rule set with this worker's own pinning activities and cache:
   * a client in this process passes the result in, and the workflow skips its pinning round.
   */
  pin: DecisionPinner;
  /** The embedded model pool (`modelPool: true`), following the registry. */
  modelPool?: ModelPool;
  stop(): Promise<void>;
}

export interface OrchestratorRuntimeOptions {
  connection: NativeConnection;
  namespace: string;
  pool: Pool;
  env: ArbiterEnv;
  /** Register model cards and apply pipeline files from the demo folders. @default false */
  seedDemo?: boolean;
  /** Also serve every registered model's remote task queue in this process, models registered later included. @default false */
  modelPool?: boolean;
  /** A prebuilt workflow bundle (tests share one per suite). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** A vector store to use instead of the environment's (tests); the caller closes it. @default from ARBITER_VECTOR_STORE */
  vectors?: VectorStore;
  /** Where this process's metrics go (served on ARBITER_METRICS_PORT by the caller). @default not counted */
  metrics?: ArbiterMetrics;
  /** Every worker's (config/temporal.ts `temporalTarget().dataConverter`: payload encryption). @default the SDK's */
  dataConverter?: DataConverter;
  log?: (msg: string) => void;
  /** Where decisions are handed to a client of this process (the embedded stack's). @default none */
  answers?: AnswerDesk;
  /** The JSON log activities write to (a line per recorded decision, with its decision id). @default none */
  logger?: Logger;
  /** The registry's generation without a query (`ActivityDeps.registryGeneration`). @default read a pin */
  registryGeneration?: () => string | undefined;
}

/**
 * Loads and probes every model the stored pipelines use, before the worker takes work: the first
 * decisions must not pay for file loads and runtime start-up inside their latency budget.
 */
export async function warmUp(models: ModelServices, log: (msg: string) => void): Promise<void> {
  const refs = new Set((await models.pipelines.list()).flatMap((p) => modelRefsOf(p.spec)));
  const started = Date.now();
  for (const ref of refs) {
    try {
      const version = await models.registry.resolve(parseModelRef(ref));
      const adapter = await models.runtime.adapter(version.name, version.version);
      await adapter.probe({ deadline: Date.now() + 15_000 });
    } catch (err) {
      // A model that cannot warm up is reported; its decisions will fail over as the pipeline says.
      log(`warm-up of ${ref} failed: ${redactedMessage(err)}`);
    }
  }
  log(`warmed up ${refs.size} models in ${Date.now() - started} ms`);
}

/** The configured vector store, checked at start: a store that cannot serve is reported, not fatal. */
async function openVectorStore(opts: OrchestratorRuntimeOptions, log: (msg: string) => void) {
  const vectors = vectorStoreFromEnv(opts.env, opts.pool);
  if (vectors?.kind === 'pgvector') {
    // Decisions still run without it; their reasons say similar cases were unavailable.
    await (vectors as { init(): Promise<void> } & VectorStore).init().catch((err: unknown) => {
      log(`similar cases unavailable: ${redactedMessage(err)}`);
    });
  }
  return vectors;
}

function runInBackground(worker: Worker): () => Promise<void> {
  const running = worker.run();
  running.catch(() => undefined);
  return async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
}

/** Starts the orchestrator worker (and, embedded, the model pool) over one database and connection. */
export async function startOrchestratorRuntime(opts: OrchestratorRuntimeOptions): Promise<OrchestratorRuntime> {
  const log = opts.log ?? (() => undefined);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err: unknown) => log(`shutdown: ${String(err)}`));
  };
  try {
    const models = createModelServices(opts.pool, opts.env.ARBITER_MODELS_DIR);
    const ruleSets = new RuleSetStore(opts.pool);
    stops.push(() => models.close());
    const cache = await createResultCache({ REDIS_URL: opts.env.REDIS_URL });
    stops.push(() => cache.close());
    if (opts.seedDemo) {
      const dirs = {
        modelsDir: opts.env.ARBITER_MODELS_DIR,
        pipelinesDir: opts.env.ARBITER_PIPELINES_DIR,
        rulesDir: opts.env.ARBITER_RULES_DIR,
      };
      await seedFromDirs(models, new RuleSetsAdmin(ruleSets), dirs, log);
    }
    await warmUp(models, log);
    const vectors = opts.vectors ?? (await openVectorStore(opts, log));
    if (vectors && !opts.vectors) stops.push(() => vectors.close());
    const store = new DecisionStore(opts.pool);
    const deps = {
      store,
      registry: models.registry,
      pipelines: models.pipelines,
      rules: ruleSets,
      runtime: models.runtime,
      cache,
      load: new LocalLoad(),
      vectors,
      storeInput: opts.env.ARBITER_STORE_INPUT,
      outageToleranceMs: opts.env.ARBITER_OUTAGE_TOLERANCE,
      caseLimits: caseLimitsOf(opts.env),
      log: opts.logger,
      metrics: opts.metrics,
      // A client of this process waiting for a decision hears it from the record's activity, as soon
      // as its row is written (the workflow's sink would tell it one activation later).
      answer: answerAtRecord(opts.answers),
      registryGeneration: opts.registryGeneration,
    };
    if (opts.metrics) {
      readBreakers(opts.metrics, models.breakers);
      readCache(opts.metrics, cache);
      readBacklog(opts.metrics, store);
    }
    const activities = createActivities(deps);
    const worker = await createOrchestratorWorker({
      activities,
      connection: opts.connection,
      namespace: opts.namespace,
      taskQueue: opts.env.ARBITER_TASK_QUEUE,
      deps,
      workflowBundle: opts.workflowBundle,
      stackTraces: opts.env.ARBITER_WORKFLOW_STACK_TRACES,
      workflowTaskSlots: opts.env.ARBITER_WORKFLOW_TASK_SLOTS,
      shutdownGraceMs: opts.env.ARBITER_SHUTDOWN_GRACE,
      dataConverter: opts.dataConverter,
      answers: opts.answers,
    });
    stops.push(runInBackground(worker));
    let modelPool: ModelPool | undefined;
    if (opts.modelPool) {
      modelPool = await startModelPool({
        connection: opts.connection,
        namespace: opts.namespace,
        models: { follow: models.registry },
        runtime: models.runtime,
        cache,
        caseLimits: caseLimitsOf(opts.env),
        shutdownGraceMs: opts.env.ARBITER_SHUTDOWN_GRACE,
        dataConverter: opts.dataConverter,
        log,
      });
      stops.push(modelPool.stop);
    }
    const pin: DecisionPinner = async ({ pipeline, model, rules }) => {
      const [pinned, ruleSet] = await Promise.all([
        activities.loadPipeline(model ? { model } : { name: pipeline ?? 'demo' }),
        rules ? activities.loadRuleSet(rules) : Promise.resolve(undefined),
      ]);
      return { pipeline: pinned, ...(ruleSet ? { ruleSet } : {}) };
    };
    return { models, store, cache, vectors, modelPool, pin, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
