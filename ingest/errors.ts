import { causeChain } from './retry';

/** Counts of one consumer's run. */
export interface IngestSummary {
  /** Messages taken from the topic and handled (a message left waiting at shutdown is not counted). */
  consumed: number;
  decided: number;
  deadLettered: number;
}

/** The brokers did not answer, the group could not be joined, or the connection broke while consuming. */
export class KafkaUnavailableError extends Error {
  /** @param what e.g. 'consume from' */
  constructor(brokers: string[], what: string, options: ErrorOptions) {
    const cause = options.cause instanceof Error ? `: ${reasonOf(options.cause)}` : '';
    super(`cannot ${what} Kafka at ${brokers.join(',')}${cause}. Is a broker running there (KAFKA_BROKERS)?`, options);
    this.name = 'KafkaUnavailableError';
  }
}

/** The consumer stopped rather than skip a message it could not handle; that message was not committed. */
export class IngestStoppedError extends Error {
  constructor(
    readonly summary: IngestSummary,
    options: ErrorOptions,
  ) {
    super(
      `ingest stopped: ${causeChain(options.cause)}. Its offset was not committed: it is read again when ingest restarts.`,
      options,
    );
    this.name = 'IngestStoppedError';
  }
}

/** The Kafka client's retries end in an AggregateError ("metadata failed 4 times."): add the last try's reason. */
function reasonOf(err: Error): string {
  const own = err.message.replace(/\.+$/, '');
  const last: unknown = err instanceof AggregateError ? err.errors.at(-1) : undefined;
  return last instanceof Error ? `${own} (${reasonOf(last)})` : own;
}
