// The Kafka way in: decision requests from a topic, decisions and dead letters to two others.
export { startIngest, type IngestOptions, type KafkaSecurity, type RunningIngest } from './consumer';
export { IngestStoppedError, KafkaUnavailableError, type IngestSummary } from './errors';
export type { IngestObserver, IngestTopics } from './handle';
export {
  DEAD_LETTER_HEADER,
  DeadLetterReasonSchema,
  DeadLetterSchema,
  IngestRequestSchema,
  OutcomeMessageSchema,
  type DeadLetter,
  type DeadLetterReason,
  type IngestRequest,
  type OutcomeMessage,
} from './messages';
export { OffsetTracker, type CommitPoint } from './offsets';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';
export { ensureTopics } from './topics';
