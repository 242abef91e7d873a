import { createRoute, z } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { ApiApp, ApiDeps } from '../deps';
import type { ApiMetrics } from '../metrics';
import { problemResponses } from '../problems';
import { jsonResponse } from './openapi';

/** How long each health check may take before it counts as down. */
const CHECK_TIMEOUT_MS = 2000;

const CheckSchema = z.object({ ok: z.boolean(), latencyMs: z.number() });
const HealthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.object({ database: CheckSchema, temporal: CheckSchema }),
});

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Whether the database and Temporal answer (no authentication)',
  security: [],
  responses: { 200: jsonResponse(HealthSchema, 'all checks pass'), 503: jsonResponse(HealthSchema, 'a check failed') },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics',
  responses: {
    200: { description: 'the Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
    ...problemResponses(401, 403),
  },
});

/** Runs `check` against a deadline; why it failed goes to the log, not to the unauthenticated caller. */
async function probe(name: string, check: () => Promise<unknown>, log: Logger): Promise<z.infer<typeof CheckSchema>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    log.warn({ err, check: name }, 'health check failed');
    return { ok: false, latencyMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /healthz` and `GET /metrics`. */
export function opsRoutes(app: ApiApp, deps: ApiDeps, metrics: ApiMetrics, log: Logger): void {
  app.openapi(healthRoute, async (c) => {
    const temporal = deps.client.temporal;
    const [database, temporalCheck] = await Promise.all([
      probe('database', () => deps.pool.query('SELECT 1'), log),
      probe(
        'temporal',
        () =>
          temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
            temporal.workflowService.getSystemInfo({}),
          ),
        log,
      ),
    ]);
    const checks = { database, temporal: temporalCheck };
    return database.ok && temporalCheck.ok
      ? c.json({ status: 'ok' as const, checks }, 200)
      : c.json({ status: 'unavailable' as const, checks }, 503);
  });

  app.openapi(metricsRoute, async (c) => {
    return c.text(await metrics.scrape(), 200, { 'content-type': metrics.registry.contentType });
  });
}
