import { DEFAULT_METRICS_PORT, PROJECT_ROOT, type ArbiterEnv } from '../config/env';
import { startCliMetrics } from './metrics';
import { tryHint } from './dev-hint';
import { launchedByNpm, npmStopHint } from './launcher';
import { untilInterrupted } from './runtime';
import { startStack, type Stack } from './stack/stack';

const say = (msg: string) => process.stderr.write(`${msg}\n`);

/** Prints where everything is, so a person can find it. */
export function printStackInfo(stack: Stack, env: ArbiterEnv, metricsPort?: number): void {
  say('');
  say(`  Temporal:     ${stack.temporalAddress}${stack.embedded.temporal ? ' (embedded dev server)' : ''}`);
  if (stack.uiUrl) say(`  Temporal UI:  ${stack.uiUrl}/namespaces/default/workflows`);
  if (stack.codecEndpoint)
    say(`  Codec:        ${stack.codecEndpoint}  (payloads encrypted; temporal --codec-endpoint)`);
  say(`  Database:     ${stack.embedded.database ? `${stack.databaseUrl} (embedded PGlite)` : 'DATABASE_URL'}`);
  say(`  Task queue:   ${env.ARBITER_TASK_QUEUE}`);
  say(`  Data dir:     ${env.ARBITER_DATA_DIR}`);
  if (metricsPort) say(`  Metrics:      http://localhost:${metricsPort}/metrics`);
  say('');
}

/** `arbiter dev`: the embedded stack until Ctrl-C. */
export async function runDev(env: ArbiterEnv): Promise<void> {
  // Installs the SDK runtime (LOG_LEVEL, and its metrics exporter when /metrics is on): first.
  const { metrics, server } = await startCliMetrics(env, DEFAULT_METRICS_PORT);
  const { startTracing } = await import('../telemetry/tracing');
  const tracing = await startTracing({ serviceName: 'arbiter' });
  try {
    // A stack that fails to start (a busy port) must not leave /metrics holding the process open.
    const stack = await startStack(env, say, { metrics });
    printStackInfo(stack, env, server?.port);
    const pipelines = (await stack.models.pipelines.list()).map((p) => p.name);
    say(`Serving. ${tryHint(pipelines, PROJECT_ROOT)}   (Ctrl-C to stop)`);
    if (launchedByNpm()) say(`(${npmStopHint()})`);
    await untilInterrupted();
    say('stopping...');
    await stack.stop();
  } finally {
    await tracing?.shutdown();
    await server?.close();
  }
}
