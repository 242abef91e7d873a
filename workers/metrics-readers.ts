import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import type { CircuitBreakers } from '../models/circuit-breaker';
import type { ResultCache } from '../stores/cache';
import type { DecisionStore } from '../stores/decision-store';

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
const BATCH_STATUSES = ['running', 'done', 'failed'] as const;

/** Each model version's breaker in this process, one-hot by state (read at scrape time). */
export function readBreakers(metrics: ArbiterMetrics, breakers: CircuitBreakers): void {
  metrics.onScrape(() => {
    for (const [id, { state }] of Object.entries(breakers.states())) {
      const at = id.lastIndexOf('@');
      const labels = { model: id.slice(0, at), version: id.slice(at + 1) };
      for (const s of BREAKER_STATES) metrics.circuitState.set({ ...labels, state: s }, s === state ? 1 : 0);
    }
  });
}

/** The cache's own running counts, as counters (they only grow in one process's life). */
export function readCache(metrics: ArbiterMetrics, cache: ResultCache): void {
  metrics.onScrape(() => {
    const stats = cache.stats();
    metrics.cacheRequests.reset();
    for (const result of ['hit', 'miss', 'error'] as const) {
      const n = result === 'hit' ? stats.hits : result === 'miss' ? stats.misses : stats.errors;
      metrics.cacheRequests.inc({ cache: cache.kind, result }, n);
    }
  });
}

/** The review backlog and batches by status, from the decision log (every worker reports the same: use max()). */
export function readBacklog(metrics: ArbiterMetrics, store: DecisionStore): void {
  metrics.onScrape(async () => {
    const backlog = await store.backlog();
    metrics.reviewsPending.set(backlog.reviewsPending);
    metrics.reviewOldestAge.set(backlog.oldestReviewAgeS);
    for (const status of BATCH_STATUSES) metrics.batches.set({ status }, backlog.batches[status] ?? 0);
  });
}
