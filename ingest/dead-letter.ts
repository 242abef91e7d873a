import { ProduceAcks, type Producer } from '@platformatic/kafka';
import { DEAD_LETTER_HEADER, DeadLetterSchema, type DeadLetter, type Unprocessable } from './messages';

/** Where a consumed message came from, and what it held. */
export interface Consumed {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | undefined;
  value: string | undefined;
}

/** Producer with string keys, values and headers: every message Arbiter writes is JSON text. */
export type StringProducer = Producer<string, string, string, string>;

/** The dead-letter value for a request that can never be decided. */
export function deadLetterOf(message: Consumed, why: Unprocessable, now = new Date()): DeadLetter {
  return DeadLetterSchema.parse({
    reason: why.reason,
    error: why.error,
    ...(why.issues ? { issues: why.issues } : {}),
    topic: message.topic,
    partition: message.partition,
    offset: message.offset.toString(),
    key: message.key ?? null,
    value: message.value ?? null,
    failedAt: now.toISOString(),
  });
}

/**
 * Publishes a request to the dead-letter topic under its original key, the value a JSON envelope
 * (reason, issues, where it was, the original value) and the reason also in the `arbiter-error`
 * header. Waits for every in-sync replica, since the request's offset is committed right after.
 */
export async function sendToDeadLetter(
  producer: StringProducer,
  topic: string,
  message: Consumed,
  why: Unprocessable,
): Promise<void> {
  await producer.send({
    messages: [
      {
        topic,
        ...(message.key === undefined ? {} : { key: message.key }),
        value: JSON.stringify(deadLetterOf(message, why)),
        headers: { [DEAD_LETTER_HEADER]: why.reason },
      },
    ],
    acks: ProduceAcks.ALL,
  });
}
