import { causeChain } from './retry';

/** Counts of one consumer's run. */
export interface IngestSummary {
  /** Messages taken from the topic and handled (a message left waiting at shutdown is not counted). */
  consumed: number;
  decided: number;
  deadLettered: number;
}

/**
 * The brokers did not answer, refused the credentials or the TLS handshake, the group could not be
 * joined, or the connection broke while consuming. The message ends with what to check.
 */
export class KafkaUnavailableError extends Error {
  /** @param what e.g. 'consume from' */
  constructor(brokers: string[], what: string, options: ErrorOptions) {
    const chain = kafkaChain(options.cause);
    const reason = chain.length > 0 ? `: ${reasonOf(chain)}` : '';
    super(`cannot ${what} Kafka at ${brokers.join(',')}${reason}. ${hintFor(chain)}`, options);
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

/**
 * The Kafka client's errors nest two ways: its retries end in an AggregateError ("metadata failed 4
 * times.") whose last member is the last try's, and a failed connection has its reason as `cause`
 * ("Connection to ... failed." caused by "SASL authentication failed."). Follows both, innermost last.
 */
function kafkaChain(err: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = err; e instanceof Error && !chain.includes(e);) {
    chain.push(e);
    const last: unknown = e instanceof AggregateError ? e.errors.at(-1) : undefined;
    e = last instanceof Error ? last : e.cause;
  }
  return chain;
}

/** "metadata failed 4 times (Connection to ... failed (SASL authentication failed))", repeats dropped. */
function reasonOf(chain: Error[]): string {
  const messages = [...new Set(chain.map((e) => e.message.replace(/\.+$/, '')))].slice(0, 6);
  return messages.reduceRight((inner, m) => (inner ? `${m} (${inner})` : m), '');
}

/** TLS errors Node raises when it does not trust the broker's certificate or name. */
const TLS_CODES = /^(CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)|ERR_SSL_)/;

function hintFor(chain: Error[]): string {
  const codes = chain.map((e) => String((e as NodeJS.ErrnoException).code ?? ''));
  if (codes.includes('PLT_KFK_AUTHENTICATION'))
    return 'The brokers refused the credentials: check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and the password.';
  if (codes.some((c) => TLS_CODES.test(c)))
    return "The brokers' certificate was not trusted: check KAFKA_SSL_CA_FILE (and that KAFKA_BROKERS names the certificate's host).";
  return 'Is a broker running there (KAFKA_BROKERS), and does KAFKA_SECURITY_PROTOCOL match its listener?';
}
