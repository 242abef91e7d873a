import {
  Consumer,
  Producer,
  stringDeserializers,
  stringSerializers,
  type BaseOptions,
  type MessagesStream,
} from '@platformatic/kafka';
import { pino, type Logger } from 'pino';
import type { ArbiterClient } from '../client';
import { dispatch, type RunningIngest } from './dispatch';
import { KafkaUnavailableError } from './errors';
import type { IngestObserver, IngestTopics } from './handle';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';

/** The TLS and SASL options every Kafka client of ingest gets; empty for PLAINTEXT. */
export type KafkaSecurity = Pick<BaseOptions, 'tls' | 'sasl'>;

/** What `startIngest` needs: a client of a running Arbiter, the brokers, and the three topics. */
export interface IngestOptions {
  /** Decides the cases (its task queue decides which orchestrator). */
  client: ArbiterClient;
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** TLS and SASL for the consumer and the producer (config/kafka.ts builds it from KAFKA_*). @default {} (PLAINTEXT) */
  security?: KafkaSecurity;
  topics: IngestTopics;
  /** @default 'arbiter-ingest' */
  groupId?: string;
  /** Messages decided at once. @default 16 */
  concurrency?: number;
  /** @default DEFAULT_RETRY (8 tries, 250 ms doubling to 10 s, 60 s per try) */
  retry?: Partial<RetryPolicy>;
  /** @default pino at 'info', named 'arbiter-ingest' */
  log?: Logger;
  /** @default 'arbiter-ingest' */
  clientId?: string;
  /** Told of each handled message and each retry (metrics). @default nobody */
  observer?: IngestObserver;
}

/**
 * Joins the consumer group and decides every request on the topic, `concurrency` at a time:
 * decide (idempotent, by case id), publish the decision, then commit — each partition only up to
 * its lowest unfinished offset, so a crash re-decides (harmlessly) rather than skips.
 * @throws KafkaUnavailableError when the brokers cannot be reached
 */
export async function startIngest(options: IngestOptions): Promise<RunningIngest> {
  const clientId = options.clientId ?? 'arbiter-ingest';
  const groupId = options.groupId ?? 'arbiter-ingest';
  const log = options.log ?? pino({ name: 'arbiter-ingest' });
  const bootstrapBrokers = options.brokers;
  const security = options.security ?? {};
  const consumer = new Consumer({
    ...security,
    clientId,
    groupId,
    bootstrapBrokers,
    deserializers: stringDeserializers,
  });
  const producer = new Producer({ ...security, clientId, bootstrapBrokers, serializers: stringSerializers });
  const concurrency = options.concurrency ?? 16;
  let stream: MessagesStream<string, string, string, string>;
  try {
    stream = await consumer.consume({
      topics: [options.topics.requests],
      // Resume where the group left off; a new group starts at the beginning, not at new messages only.
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
      maxWaitTime: 500,
      highWaterMark: concurrency * 2,
    });
  } catch (err) {
    await Promise.allSettled([consumer.close(), producer.close()]);
    throw new KafkaUnavailableError(bootstrapBrokers, 'consume from', { cause: err });
  }
  log.info({ topic: options.topics.requests, groupId, concurrency }, 'ingest consuming');
  const deps = { client: options.client, producer, topics: options.topics, log, observer: options.observer };
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  return dispatch({ stream, consumer, producer, brokers: bootstrapBrokers, concurrency, retry, deps });
}

export type { RunningIngest } from './dispatch';
