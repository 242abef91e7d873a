import type { Consumer, Message, MessagesStream, Producer } from '@platformatic/kafka';
import { createCommitter } from './committer';
import { IngestStoppedError, KafkaUnavailableError, type IngestSummary } from './errors';
import { handleRequest, type HandlerDeps } from './handle';
import { OffsetTracker } from './offsets';
import { RetryInterruptedError, type RetryPolicy } from './retry';

type StringMessage = Message<string, string, string, string>;

/** A running consumer. */
export interface RunningIngest {
  summary: () => IngestSummary;
  /**
   * Stops fetching, lets messages under way finish (for at most `graceMs`, when given: those still
   * going then stay uncommitted and are read again next time), commits, closes. Never rejects.
   */
  stop: (graceMs?: number) => Promise<IngestSummary>;
  /** Resolves once stopped by `stop`; rejects with IngestStoppedError when a message kept failing. */
  done: Promise<IngestSummary>;
}

/** A consumer already consuming, and what handling its messages needs. */
export interface DispatchContext {
  stream: MessagesStream<string, string, string, string>;
  consumer: Consumer<string, string, string, string>;
  producer: Producer<string, string, string, string>;
  brokers: string[];
  concurrency: number;
  retry: RetryPolicy;
  deps: Omit<HandlerDeps, 'signal' | 'retry'>;
}

/**
 * Hands messages to `handleRequest`, at most `concurrency` at once (the stream is paused while
 * that many are under way), and commits behind them in offset order per partition.
 */
export function dispatch({
  stream,
  consumer,
  producer,
  brokers,
  concurrency,
  retry,
  deps,
}: DispatchContext): RunningIngest {
  const { log } = deps;
  const tracker = new OffsetTracker();
  const committer = createCommitter(consumer, tracker, log);
  const shutdown = new AbortController();
  const handlerDeps: HandlerDeps = { ...deps, retry, signal: shutdown.signal };
  const counts: IngestSummary = { consumed: 0, decided: 0, deadLettered: 0 };
  const waiting: StringMessage[] = [];
  let inFlight = 0;
  let paused = false;
  let failure: { cause: unknown } | undefined;
  let onDrained: (() => void) | undefined;
  let stopping: Promise<IngestSummary> | undefined;
  let committing = true;
  let settle: { resolve: (s: IngestSummary) => void; reject: (e: Error) => void } | undefined;
  const done = new Promise<IngestSummary>((resolve, reject) => (settle = { resolve, reject }));
  // Callers may only ever call stop(); a failure must not also crash them as an unhandled rejection.
  done.catch(() => undefined);

  const start = (m: StringMessage) => {
    inFlight++;
    counts.consumed++;
    const consumed = { topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value };
    void handleRequest(handlerDeps, consumed)
      .then((handled) => {
        deps.observer?.handled(m.topic, handled, Math.max(Date.now() - Number(m.timestamp), 0));
        if (handled === 'decided') counts.decided++;
        else counts.deadLettered++;
        tracker.finish(m.topic, m.partition, m.offset);
        if (committing) void committer.schedule();
      })
      .catch(fail)
      .finally(() => {
        inFlight--;
        pump();
      });
  };

  const pump = () => {
    while (!shutdown.signal.aborted && inFlight < concurrency) {
      const next = waiting.shift();
      if (!next) break;
      start(next);
    }
    if (shutdown.signal.aborted) {
      if (inFlight === 0) onDrained?.();
    } else if (paused && waiting.length === 0) {
      paused = false;
      stream.resume();
    }
  };

  const fail = (err: unknown) => {
    // A retry cut short by shutdown: the message stays uncommitted, for the next consumer.
    if (err instanceof RetryInterruptedError) return;
    if (failure) return;
    failure = { cause: err };
    log.error({ err }, 'stopping: a message kept failing');
    void stop();
  };

  stream.on('data', (m: StringMessage) => {
    // After stop() nothing new is taken: what is not taken is not committed, and is read again next time.
    if (shutdown.signal.aborted) return;
    tracker.take(m.topic, m.partition, m.offset);
    if (inFlight < concurrency) {
      start(m);
      return;
    }
    waiting.push(m);
    if (!paused) {
      paused = true;
      stream.pause();
    }
  });
  stream.on('error', (err: Error) => fail(new KafkaUnavailableError(brokers, 'keep consuming from', { cause: err })));

  const drained = async (graceMs: number | undefined): Promise<void> => {
    if (inFlight === 0) return;
    const all = new Promise<void>((resolve) => (onDrained = resolve));
    if (graceMs === undefined) return all;
    let timer: NodeJS.Timeout | undefined;
    const over = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([all, over]).finally(() => clearTimeout(timer));
    if (inFlight > 0) log.warn({ inFlight, graceMs }, 'grace period over: requests under way stay uncommitted');
  };

  const stop = (graceMs?: number): Promise<IngestSummary> => {
    stopping ??= (async () => {
      shutdown.abort();
      waiting.length = 0;
      await stream.close().catch((err: unknown) => log.warn({ err }, 'closing the stream failed'));
      await drained(graceMs);
      await committer.schedule();
      committing = false;
      const closed = await Promise.allSettled([consumer.close(), producer.close()]);
      for (const c of closed) if (c.status === 'rejected') log.warn({ err: c.reason as unknown }, 'closing failed');
      const summary = { ...counts };
      log.info(summary, 'ingest stopped');
      if (failure) settle?.reject(new IngestStoppedError(summary, failure));
      else settle?.resolve(summary);
      return summary;
    })();
    return stopping;
  };

  return { summary: () => ({ ...counts }), stop, done };
}
