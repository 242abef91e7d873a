import { z } from 'zod';
import { REDACTED } from './redact';

/**
 * A secret given by name: the environment variable that holds it on the process calling the model
 * (the worker; the registering process too, which probes the model). The registry stores the name only.
 */
export const SecretRefSchema = z
  .object({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)'),
  })
  .strict()
  .meta({ id: 'SecretRef', description: 'a secret by name: { "env": "FRAUD_API_TOKEN" }' });
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** A header value or key: literal text (content types, versions) or a secret by name. */
export const TextOrSecretSchema = z.union([z.string(), SecretRefSchema]);
export type TextOrSecret = z.infer<typeof TextOrSecretSchema>;

/** One literal credential in a spec: where (`config.headers.authorization`) and why it looks like one. */
export interface LiteralSecret {
  path: string;
  why: string;
}

// A header whose value is a credential by its name: Authorization, Cookie, *-key, *token*, *secret*, ...
const SECRET_HEADER = /^(proxy-)?authorization$|^cookie$|key$|token|secret|passw|credential|session/i;
// A config field (or URI query parameter) holding a key: apiKey, access_token, clientSecret, password, ...
const SECRET_FIELD =
  /^(authorization|key|sig|signature)$|(api[-_]?key|access[-_]?key|private[-_]?key|token|secret|passw(or)?d|credentials?)$/i;
// Values that are credentials whatever their field: an auth scheme, well-known key prefixes, a JWT.
const SECRET_VALUES: [RegExp, string][] = [
  [/^(bearer|basic|token|apikey)\s+\S{6,}$/i, 'an HTTP authorization value'],
  [/^(sk|rk|pk)[-_](live_|test_|proj-|ant-)?[\w-]{16,}$/, 'an API key (sk-/rk-/pk- prefix)'],
  [/^(gh[pousr]_|github_pat_|glpat-|hf_|pcsk_|xox[abprs]-)[\w-]{16,}$/, 'an access token (known prefix)'],
  [/^(AKIA|ASIA)[0-9A-Z]{16}$/, 'an AWS access key id'],
  [/^AIza[\w-]{30,}$/, 'a Google API key'],
  [/^eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*$/, 'a JSON Web Token'],
];

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return [...counts.values()].reduce((sum, n) => sum - (n / text.length) * Math.log2(n / text.length), 0);
}

/** A random-looking token: 24+ characters of a key alphabet, letters and digits mixed, high entropy. */
function looksRandom(value: string): boolean {
  return (
    value.length >= 24 &&
    /^[\w+/=.-]+$/.test(value) &&
    /\d/.test(value) &&
    /[a-z]/i.test(value) &&
    entropy(value) >= 3.5
  );
}

/** Why a literal string at `key` is a credential, or undefined. `header`: `key` is a header name. */
function credentialWhy(key: string, value: string, header: boolean): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (header && SECRET_HEADER.test(key)) return `the '${key}' header carries a credential`;
  if (!header && SECRET_FIELD.test(key)) return `'${key}' holds a key`;
  const known = SECRET_VALUES.find(([pattern]) => pattern.test(text));
  if (known) return `the value looks like ${known[1]}`;
  if (header && looksRandom(text)) return `the '${key}' header value looks like a random key`;
  return undefined;
}

/**
 * `value` with every literal credential passed to `onSecret` (and replaced by what it returns).
 * Objects `{ env }` are references, never secrets; strings under a `headers` object are header values.
 */
function walk(
  value: unknown,
  path: string,
  key: string,
  header: boolean,
  onSecret: (found: LiteralSecret, value: string) => unknown,
): unknown {
  if (typeof value === 'string') {
    const why = credentialWhy(key, value, header);
    return why ? onSecret({ path, why }, value) : value;
  }
  if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}.${i}`, key, false, onSecret));
  if (typeof value !== 'object' || value === null || SecretRefSchema.safeParse(value).success) return value;
  const isHeaders = /^headers$/i.test(key);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`, k, isHeaders, onSecret)]),
  );
}

/** Credentials in a URI: user info, or a query parameter named like a key (`?api_key=`). */
function uriSecrets(uri: string): { found: LiteralSecret[]; redacted: string } {
  if (!URL.canParse(uri)) return { found: [], redacted: uri };
  const url = new URL(uri);
  const found: LiteralSecret[] = [];
  if (url.username || url.password) {
    found.push({ path: 'uri', why: 'the URI carries user credentials' });
    url.username = url.username ? REDACTED : '';
    url.password = url.password ? REDACTED : '';
  }
  for (const [name, value] of [...url.searchParams]) {
    if (value && SECRET_FIELD.test(name)) {
      found.push({ path: 'uri', why: `the URI's '${name}' parameter holds a key` });
      url.searchParams.set(name, REDACTED);
    }
  }
  return { found, redacted: found.length > 0 ? url.toString() : uri };
}

/** Every literal credential in a version spec's `uri` and `config` (registration refuses them). */
export function literalSecrets(spec: { uri: string; config?: Record<string, unknown> }): LiteralSecret[] {
  const found: LiteralSecret[] = [...uriSecrets(spec.uri).found];
  walk(spec.config ?? {}, 'config', 'config', false, (f, v) => (found.push(f), v));
  return found;
}

/**
 * `version` with every literal credential replaced by `***`, for everything that shows a version
 * (API, CLI): versions registered before literals were refused still hold them, and only the worker
 * may read them. References (`{ env }`) stay: a name is no secret.
 */
export function redactSecrets<T extends { uri: string; config: Record<string, unknown> }>(version: T): T {
  const config = walk(version.config, 'config', 'config', false, () => REDACTED) as Record<string, unknown>;
  return { ...version, uri: uriSecrets(version.uri).redacted, config };
}

/** How to give a secret instead, for the refusal's message. */
export const SECRET_BY_NAME_HINT =
  'put the value in the environment of the worker (and of the registering process, which probes the model) ' +
  'and refer to it by name, e.g. "headers": { "authorization": { "env": "FRAUD_API_TOKEN" } }, ' +
  'with FRAUD_API_TOKEN="Bearer ..."';
