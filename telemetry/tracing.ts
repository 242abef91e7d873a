import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { WorkerPlugin } from '@temporalio/worker';

/** Which exporter the standard OTEL_* variables ask for; undefined: tracing stays off. */
export function tracesExporterOf(env: NodeJS.ProcessEnv = process.env): 'otlp' | 'console' | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const named = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (named.includes('none')) return undefined;
  if (named.includes('otlp')) return 'otlp';
  if (named.includes('console')) return 'console';
  // Unlike OpenTelemetry's default (otlp), off unless asked: an endpoint counts as asking.
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined;
}

export interface Tracing {
  /** The Temporal worker plugin: workflow and activity interceptors, and the sink for workflow spans. */
  plugin: WorkerPlugin;
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  /** Export here, span by span, whatever the variables say (tests: an in-memory exporter). @default from OTEL_* */
  exporter?: SpanExporter;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

// The process's one tracer provider, like OpenTelemetry's own global: workers started anywhere in
// the process pick up its plugin without threading it through every entry point.
let active: Tracing | undefined;

/**
 * Starts tracing if the OTEL_* variables ask for it (or `exporter` is given): registers the global
 * tracer provider (W3C trace context, AsyncLocalStorage context) exporting over OTLP/HTTP (protobuf,
 * OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318). Off, it loads nothing: the
 * OpenTelemetry API stays its no-op self. Calling it again returns the running one.
 */
export async function startTracing(opts: TracingOptions): Promise<Tracing | undefined> {
  if (active) return active;
  const kind = opts.exporter ? 'given' : tracesExporterOf(opts.env);
  if (!kind) return undefined;
  const [base, node, { Resource, envDetectorSync }, { ATTR_SERVICE_NAME }, { OpenTelemetryPlugin }] = await Promise.all(
    [
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
      import('@temporalio/interceptors-opentelemetry'),
    ],
  );
  const exporter =
    opts.exporter ??
    (kind === 'console'
      ? new base.ConsoleSpanExporter()
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter());
  const processor = opts.exporter ? new base.SimpleSpanProcessor(exporter) : new base.BatchSpanProcessor(exporter);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the process's own name.
  const resource = new Resource({ [ATTR_SERVICE_NAME]: opts.serviceName }).merge(envDetectorSync.detect());
  const provider = new node.NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  const plugin = new OpenTelemetryPlugin({ resource, spanProcessor: processor });
  active = {
    plugin,
    shutdown: async () => {
      active = undefined;
      await provider.shutdown();
    },
  };
  return active;
}

/** What a Worker.create gets for tracing: the plugin while tracing runs, else nothing. */
export function workerTracing(): { plugins?: WorkerPlugin[] } {
  return active ? { plugins: [active.plugin] } : {};
}
