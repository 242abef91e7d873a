/**
 * Connection strings hidden in free text. Drivers (pg, PGlite's socket, ioredis, kafkajs) and our own
 * messages can carry the URL of the server they talk to; such text becomes decision reasons, problem
 * bodies, log lines and CLI output, where neither its credentials nor the infrastructure it names
 * belong. A database or broker URL is replaced whole (user, host, port and database say too much to
 * a caller); any other URL keeps its host and loses only its credentials.
 */

/** What replaces a hidden value. */
export const REDACTED = '***';

const SERVICE_SCHEMES = new Set([
  'postgres',
  'postgresql',
  'redis',
  'rediss',
  'kafka',
  'mysql',
  'mongodb',
  'mongodb+srv',
  'amqp',
  'amqps',
]);

// scheme://[userinfo@]rest — rest stops at whitespace and quotes; trailing punctuation is given back.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/([^\s'"<>@/]*@)?[^\s'"<>]+/gi;
const TRAILING = /[.,;:)\]}]+$/;
// libpq's keyword form: `host=db user=app password=...`.
const KEYWORD_PASSWORD = /\b(password|passwd)\s*=\s*('[^']*'|"[^"]*"|[^\s'"]+)/gi;

/** `text` with every database/broker URL replaced by `scheme://***` and credentials of any other URL hidden. */
export function redactConnectionStrings(text: string): string {
  return text
    .replace(URL_IN_TEXT, (match: string, scheme: string, userinfo: string | undefined) => {
      const tail = TRAILING.exec(match)?.[0] ?? '';
      const url = match.slice(0, match.length - tail.length);
      if (SERVICE_SCHEMES.has(scheme.toLowerCase())) return `${scheme}://${REDACTED}${tail}`;
      return userinfo ? `${url.replace(userinfo, `${REDACTED}@`)}${tail}` : match;
    })
    .replace(KEYWORD_PASSWORD, `$1=${REDACTED}`);
}

/** `err`'s message with connection strings hidden, for messages built from a driver's error. */
export function redactedMessage(err: unknown): string {
  return redactConnectionStrings(err instanceof Error ? err.message : String(err));
}
