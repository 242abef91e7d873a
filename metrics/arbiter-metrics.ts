import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds, from a few milliseconds (a cached call) to a minute (a decision waiting out a slow member). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export { WAYS_IN, type WayIn } from '../core/workflow-input';

/**
 * Every metric Arbiter itself exports, in one registry per process (never prom-client's global
 * one: tests start several stacks in one process). The activities that commit a decision count it,
 * and only when their insert wrote the row — a retried or replayed record counts nothing twice.
 * Gauges read at scrape time (breakers, caches, review backlog) are added with `onScrape`.
 */
export function createArbiterMetrics(registry: Registry = new Registry()) {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const scrapeHooks: (() => Promise<void> | void)[] = [];
  return {
    registry,
    /** Runs before every scrape (reads breakers, caches, the review backlog into gauges). */
    onScrape(hook: () => Promise<void> | void): void {
      scrapeHooks.push(hook);
    },
    /** The exposition text, scrape-time gauges refreshed first (a failing reader leaves its gauges as they were). */
    async scrape(): Promise<string> {
      await Promise.allSettled(scrapeHooks.map(async (hook) => hook()));
      return registry.metrics();
    },
    decisions: new Counter({
      name: 'arbiter_decisions_total',
      help: 'Decisions recorded, once each, by pipeline, outcome (rejected: invalid case), degraded and way in',
      labelNames: ['pipeline', 'outcome', 'degraded', 'via'] as const,
      registers,
    }),
    decisionDuration: new Histogram({
      name: 'arbiter_decision_duration_seconds',
      help: 'Request to answer, per decision (batch cases are not timed one by one)',
      labelNames: ['pipeline', 'via'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    budgetExpirations: new Counter({
      name: 'arbiter_budget_expirations_total',
      help: 'Decisions taken when the latency budget ran out with members still out',
      labelNames: ['pipeline'] as const,
      registers,
    }),
    lateMembers: new Counter({
      name: 'arbiter_late_members_total',
      help: 'Pipeline steps that had not answered when the decision was taken (which ones: the decision log)',
      labelNames: ['pipeline'] as const,
      registers,
    }),
    modelCalls: new Counter({
      name: 'arbiter_model_calls_total',
      help: 'Model calls of recorded decisions, once each, by result (ok or the failure type)',
      labelNames: ['model', 'version', 'arm', 'placement', 'result', 'late'] as const,
      registers,
    }),
    modelCallDuration: new Histogram({
      name: 'arbiter_model_call_duration_seconds',
      help: 'Model call latency as the calling activity measured it',
      labelNames: ['model', 'version', 'arm', 'placement'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    circuitState: new Gauge({
      name: 'arbiter_circuit_state',
      help: "Each model version's breaker in this process: 1 for its current state (closed, half-open, open)",
      labelNames: ['model', 'version', 'state'] as const,
      registers,
    }),
    cacheRequests: new Counter({
      name: 'arbiter_cache_requests_total',
      help: 'Step-result cache lookups by result (hit, miss, error) and cache kind',
      labelNames: ['cache', 'result'] as const,
      registers,
    }),
    similarSearches: new Counter({
      name: 'arbiter_similar_searches_total',
      help: 'Similar-case searches (each try) by pipeline and result (ok or the failure type)',
      labelNames: ['pipeline', 'result'] as const,
      registers,
    }),
    similarSearchDuration: new Histogram({
      name: 'arbiter_similar_search_duration_seconds',
      help: 'Similar-case search latency (embedding and vector query), successful tries',
      labelNames: ['pipeline'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    reviewsPending: new Gauge({
      name: 'arbiter_reviews_pending',
      help: 'Decisions waiting for a person',
      registers,
    }),
    reviewOldestAge: new Gauge({
      name: 'arbiter_review_oldest_pending_age_seconds',
      help: 'Age of the oldest decision waiting for a person (0 when none waits)',
      registers,
    }),
    batchCases: new Counter({
      name: 'arbiter_batch_cases_total',
      help: 'Batch cases by pipeline and result (decided, rejected, failed), once per chunk',
      labelNames: ['pipeline', 'result'] as const,
      registers,
    }),
    batches: new Gauge({
      name: 'arbiter_batches',
      help: 'Batches in the decision log by status (running, done, failed)',
      labelNames: ['status'] as const,
      registers,
    }),
    ingestMessages: new Counter({
      name: 'arbiter_ingest_messages_total',
      help: 'Kafka requests handled, by topic and result (decided, dead-lettered)',
      labelNames: ['topic', 'result'] as const,
      registers,
    }),
    ingestRetries: new Counter({
      name: 'arbiter_ingest_retries_total',
      help: 'Kafka requests tried again after a passing failure',
      labelNames: ['topic'] as const,
      registers,
    }),
    ingestLag: new Histogram({
      name: 'arbiter_ingest_lag_seconds',
      help: "Time from a request's Kafka timestamp to its decision being published or dead-lettered",
      labelNames: ['topic'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    }),
  };
}

export type ArbiterMetrics = ReturnType<typeof createArbiterMetrics>;
