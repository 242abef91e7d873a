import type { TextOrSecret } from '../core/secrets';
import { secretMissingFailure } from './errors';

/** Where `{ "env": … }` references resolve: the process's environment unless a test gives its own. */
export type SecretEnv = Readonly<Record<string, string | undefined>>;

/**
 * The text of a header value or key: a literal as it is, a reference read from `env` now (when the
 * adapter is built, so a missing variable fails the first call with `Model.SecretMissing` naming it,
 * instead of sending a request without credentials).
 */
export function resolveSecret(model: string, where: string, value: TextOrSecret, env: SecretEnv): string {
  if (typeof value === 'string') return value;
  const resolved = env[value.env];
  if (resolved === undefined || resolved === '') throw secretMissingFailure(model, where, value.env);
  return resolved;
}

/** Every header of a config resolved (`resolveSecret`), as fetch takes them. */
export function resolveHeaders(
  model: string,
  headers: Readonly<Record<string, TextOrSecret>>,
  env: SecretEnv,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, resolveSecret(model, `header '${name}'`, value, env)]),
  );
}
