import { randomUUID } from 'node:crypto';
import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { DECISION_ID_ATTR, tracer } from '../telemetry/spans';
import { routeOf } from './metrics';

/** An incoming `x-request-id` kept as is: short, printable, no spaces (else one is made up). */
const SANE_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

interface RequestNotes {
  requestId: string;
  decisionId?: string;
}

const notes = new WeakMap<Request, RequestNotes>();

/** This request's id (`x-request-id`), for a log line written outside the access log. */
export function requestIdOf(c: Context): string | undefined {
  return notes.get(c.req.raw)?.requestId;
}

/** Names the decision a request is about: on its access log line and its span. */
export function noteDecision(c: Context, decisionId: string): void {
  const note = notes.get(c.req.raw);
  if (note) note.decisionId = decisionId;
}

/**
 * One access log line per request, with a request id (the caller's `x-request-id` when sane, else a
 * new one) echoed in the `x-request-id` response header, and a server span — a child of the
 * caller's `traceparent` — that the decision's workflow spans hang under.
 */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const note: RequestNotes = { requestId: given && SANE_REQUEST_ID.test(given) ? given : randomUUID() };
    notes.set(c.req.raw, note);
    const started = performance.now();
    const parent = propagation.extract(context.active(), Object.fromEntries(c.req.raw.headers));
    const attributes = {
      'http.request.method': c.req.method,
      'url.path': c.req.path,
      'arbiter.request_id': note.requestId,
    };
    await tracer().startActiveSpan(`${c.req.method}`, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
      try {
        await next();
      } finally {
        const route = routeOf(c);
        const status = c.res.status;
        span.updateName(`${c.req.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        if (note.decisionId) span.setAttribute(DECISION_ID_ATTR, note.decisionId);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
    c.res.headers.set('x-request-id', note.requestId);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const { requestId, decisionId } = note;
    const line = { requestId, method: c.req.method, path: c.req.path, route: routeOf(c), status: c.res.status, ms };
    log.info({ ...line, ...(decisionId ? { decisionId } : {}) }, 'request');
  };
}
