import { ProduceAcks } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { ArbiterClient } from '../client';
import type { DecisionResult } from '../core/decision';
import { decisionView } from '../core/decision-view';
import { permanentFailure } from './classify';
import { sendToDeadLetter, type Consumed, type StringProducer } from './dead-letter';
import { parseRequest, type Unprocessable } from './messages';
import { AttemptTimeoutError, withRetries, type RetryPolicy } from './retry';

/** The three topics the consumer works with. */
export interface IngestTopics {
  /** Decision requests are read from here. */
  requests: string;
  /** Each decision is published here, keyed by case id. */
  outcomes: string;
  /** Requests that can never be decided go here. */
  deadLetter: string;
}

/** What handling a message needs; shared by every message of one consumer. */
export interface HandlerDeps {
  client: ArbiterClient;
  producer: StringProducer;
  topics: IngestTopics;
  retry: RetryPolicy;
  /** Aborted at shutdown: retries stop, the message stays uncommitted. */
  signal: AbortSignal;
  log: Logger;
  /** Told of each retry and each handled message (metrics). @default nobody */
  observer?: IngestObserver;
}

/** What the ingest tells whoever counts (cli/ingest.ts: Prometheus): ingest/ itself stays a way in only. */
export interface IngestObserver {
  /** A message was decided or dead-lettered, `lagMs` after its Kafka timestamp. */
  handled(topic: string, how: Handled, lagMs: number): void;
  /** A passing failure is being tried again. */
  retried(topic: string): void;
}

/** How a message ended: decided (and published) or dead-lettered. Either way its offset may be committed. */
export type Handled = 'decided' | 'dead-lettered';

/**
 * Decides one request and publishes the decision, or dead-letters a request that can never be
 * decided. Throws (after bounded retries) when something that may pass keeps failing: the message
 * must then stay uncommitted.
 */
export async function handleRequest(deps: HandlerDeps, message: Consumed): Promise<Handled> {
  const parsed = parseRequest(message.key, message.value);
  if (!parsed.ok) return deadLetter(deps, message, parsed);
  const { caseId, input, pipeline, model, rules } = parsed.request;
  const where = `${message.topic}/${message.partition}@${message.offset} (case ${caseId})`;
  let result: DecisionResult;
  try {
    result = await withRetries(
      `deciding ${where}`,
      () => deps.client.decide({ caseId, input }, { pipeline, model, rules, via: 'kafka' }),
      {
        ...retryContext(deps, (err) => permanentFailure(err) !== undefined),
        // A decision that has not answered yet is durable and still going (waiting out an outage,
        // say): ask again, which joins it, for as long as it takes; the offset stays uncommitted.
        isUnderWay: (err) => err instanceof AttemptTimeoutError,
      },
    );
  } catch (err) {
    const why = permanentFailure(err);
    if (!why) throw err;
    return deadLetter(deps, message, why);
  }
  await withRetries(`publishing the decision of ${where}`, () => publishOutcome(deps, result), retryContext(deps));
  deps.log.debug({ caseId, outcome: result.outcome, offset: message.offset.toString() }, 'decided');
  return 'decided';
}

/** The decision as `decisionView` shows it, keyed by case id. */
async function publishOutcome(deps: HandlerDeps, result: DecisionResult): Promise<void> {
  const value = JSON.stringify(decisionView(result));
  await deps.producer.send({
    messages: [{ topic: deps.topics.outcomes, key: result.caseId, value }],
    acks: ProduceAcks.ALL,
  });
}

async function deadLetter(deps: HandlerDeps, message: Consumed, why: Unprocessable): Promise<Handled> {
  const where = `${message.topic}/${message.partition}@${message.offset}`;
  deps.log.warn({ reason: why.reason, error: why.error, key: message.key, at: where }, 'dead-lettered');
  await withRetries(
    `dead-lettering ${where}`,
    () => sendToDeadLetter(deps.producer, deps.topics.deadLetter, message, why),
    retryContext(deps),
  );
  return 'dead-lettered';
}

function retryContext(deps: HandlerDeps, isPermanent?: (err: unknown) => boolean) {
  return {
    policy: deps.retry,
    signal: deps.signal,
    isPermanent,
    onRetry: (err: unknown, attempt: number, delayMs: number) => {
      deps.observer?.retried(deps.topics.requests);
      deps.log.warn({ err, attempt, delayMs }, 'transient failure; retrying');
    },
  };
}
