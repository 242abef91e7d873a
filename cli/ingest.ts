import type { Command } from 'commander';
import type { IngestStoppedError, IngestSummary, IngestTopics } from '../ingest';
import type { ArbiterEnv } from '../config/env';
import { out } from './output';

export interface IngestCliOptions {
  /** Print the final summary as one line of JSON. @default false */
  json: boolean;
}

/** Adds `arbiter ingest`. */
export function addIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'decide the requests on a Kafka topic (KAFKA_BROKERS, ARBITER_INGEST_TOPIC) until Ctrl-C: decisions go to ' +
        'ARBITER_OUTCOMES_TOPIC, requests that can never be decided to ARBITER_DEAD_LETTER_TOPIC',
    )
    .option('--json', 'print the final summary (consumed, decided, deadLettered) as one line of JSON', false)
    .action(async (opts: IngestCliOptions) => {
      const { loadEnv } = await import('../config/env');
      await runIngest(loadEnv(), opts);
    });
}

/**
 * `arbiter ingest`: creates the three topics when missing, attaches to the running Arbiter (or
 * starts the embedded one), and consumes until Ctrl-C or SIGTERM — then stops fetching, finishes
 * what is under way (for up to ARBITER_SHUTDOWN_GRACE), commits and prints the summary. A second
 * Ctrl-C quits at once.
 * @throws IngestStoppedError when a request kept failing (after printing the summary)
 */
export async function runIngest(env: ArbiterEnv, opts: IngestCliOptions): Promise<void> {
  const [
    { createLogger },
    { startTracing },
    { ensureTopics, IngestStoppedError, startIngest },
    runtime,
    { withArbiter },
    { kafkaConnectionOf },
    cliMetrics,
  ] = await Promise.all([
    import('../telemetry/log'),
    import('../telemetry/tracing'),
    import('../ingest'),
    import('./runtime'),
    import('./stack/attach'),
    import('../config/kafka'),
    import('./metrics'),
  ]);
  // Logs go to stderr: stdout holds only the summary, for scripts.
  const log = createLogger({ name: 'arbiter-ingest', level: env.LOG_LEVEL, destination: process.stderr });
  // Off unless ARBITER_METRICS_PORT is set; with the embedded stack started here, its metrics join in.
  // It installs the SDK runtime (LOG_LEVEL, the metrics exporter): before any Temporal connection.
  const { metrics, server } = await cliMetrics.startCliMetrics(env, undefined);
  const tracing = await startTracing({ serviceName: 'arbiter-ingest' });
  try {
    const { untilInterrupted } = runtime;
    const topics: IngestTopics = {
      requests: env.ARBITER_INGEST_TOPIC,
      outcomes: env.ARBITER_OUTCOMES_TOPIC,
      deadLetter: env.ARBITER_DEAD_LETTER_TOPIC,
    };
    // Kafka first: a wrong KAFKA_BROKERS, a missing certificate or a refused password fails before an
    // embedded stack is started for nothing.
    const security = await kafkaConnectionOf(env);
    const created = await ensureTopics(
      env.KAFKA_BROKERS,
      [topics.requests, topics.outcomes, topics.deadLetter],
      security,
    );
    if (created.length > 0) log.info({ created }, 'topics created');
    const observer = cliMetrics.ingestObserver(metrics, [topics.requests]);
    await withArbiter(
      env,
      async (client) => {
        const ingest = await startIngest({
          client,
          brokers: env.KAFKA_BROKERS,
          security,
          topics,
          groupId: env.ARBITER_INGEST_GROUP,
          concurrency: env.ARBITER_INGEST_CONCURRENCY,
          log,
          observer,
        });
        const interrupted = untilInterrupted().then((signal) => {
          log.info({ signal, graceMs: env.ARBITER_SHUTDOWN_GRACE }, 'stopping: finishing the requests under way');
          return ingest.stop(env.ARBITER_SHUTDOWN_GRACE);
        });
        let failure: IngestStoppedError | undefined;
        const summary = await Promise.race([ingest.done, interrupted]).catch((err: unknown) => {
          if (!(err instanceof IngestStoppedError)) throw err;
          failure = err;
          return err.summary;
        });
        printSummary(summary, opts);
        if (failure) throw failure;
      },
      { metrics },
    );
  } finally {
    await tracing?.shutdown();
    await server?.close();
  }
}

function printSummary(s: IngestSummary, opts: IngestCliOptions): void {
  if (opts.json) out(JSON.stringify(s));
  else out(`consumed ${s.consumed}, decided ${s.decided}, dead-lettered ${s.deadLettered}`);
}
