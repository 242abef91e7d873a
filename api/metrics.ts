import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The API's Prometheus metrics (HTTP only), never in prom-client's global registry. Decisions are
 * counted by the worker that records them (`arbiter_decisions_total{via="api"}`), not here.
 */
export interface ApiMetrics {
  registry: Registry;
  /** The text `GET /metrics` answers with. */
  scrape(): Promise<string>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * Creates the HTTP metrics in the process's metrics (`arbiter api` on the embedded stack: one
 * registry, one text), or in a registry of their own with prom-client's default Node metrics.
 * @param shared @default a new Registry
 */
export function createApiMetrics(shared?: { registry: Registry; scrape(): Promise<string> }): ApiMetrics {
  const registry = shared?.registry ?? new Registry();
  if (!shared) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    registry,
    scrape: shared ? () => shared.scrape() : () => registry.metrics(),
    httpRequests: new Counter({
      name: 'arbiter_http_requests_total',
      help: 'HTTP requests by method, route template and status',
      labelNames,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'arbiter_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/** The matched route template (`/v1/decisions/:id`), never the raw path: ids would explode the label set. */
export function routeOf(c: Context): string {
  const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
  return route?.path ?? 'unmatched';
}

/** Counts and times every request, errors and 401s included (registered first, so it sees them all). */
export function httpMetrics(metrics: ApiMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = process.hrtime.bigint();
    await next();
    const labels = { method: c.req.method, route: routeOf(c), status: String(c.res.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  };
}
