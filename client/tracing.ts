import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';

/**
 * Spans for starting, updating and signalling workflows, and the trace context passed to them in
 * headers. Always installed: with tracing off they use OpenTelemetry's no-op API (a function call).
 */
export function tracingInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}
