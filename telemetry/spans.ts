import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

/** Span attribute naming the decision (its workflow id): one query finds a decision's whole trace. */
export const DECISION_ID_ATTR = 'arbiter.decision_id';

/**
 * Arbiter's tracer. Without telemetry/tracing.ts started it is OpenTelemetry's no-op one: spans
 * cost a function call and nothing is recorded or sent.
 */
export function tracer() {
  return trace.getTracer('arbiter');
}

/**
 * Runs `fn` in a span, a child of the active one: a failure is recorded on the span (and rethrown
 * unchanged), and the span ends either way.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      if (err instanceof Error) span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** `headers` plus the active trace's W3C `traceparent` (and `tracestate`), so a model server joins the trace. */
export function withTraceHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const carrier = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}

export { SpanKind };
