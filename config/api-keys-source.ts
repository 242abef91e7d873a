import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import {
  ApiKeyListSchema,
  ApiKeySchema,
  ApiKeysConfigError,
  describeIssues,
  duplicateIssues,
  type ApiKey,
  type KeyIssue,
} from './api-keys';

/** The keys, and a one-line warning when some were given in the deprecated bare-secret form. */
export interface LoadedApiKeys {
  keys: ApiKey[];
  deprecation?: string;
}

/**
 * `ARBITER_API_KEYS`: `name:role[+role]:secret`, comma-separated (the secret is everything after the
 * second colon). An entry without a colon is a bare secret, the format before roles: it still works,
 * as `key-<n>` with the `admin` role (every role, as before), and the caller warns that it is deprecated.
 */
export function parseInlineKeys(text: string): LoadedApiKeys {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const keys: ApiKey[] = [];
  const issues: KeyIssue[] = [];
  let bare = 0;
  entries.forEach((entry, i) => {
    const first = entry.indexOf(':');
    if (first < 0) {
      keys.push({ name: `key-${++bare}`, roles: ['admin'], secret: entry });
      return;
    }
    const second = entry.indexOf(':', first + 1);
    if (second < 0) {
      issues.push({ path: [i], message: "expected name:role[+role]:secret (roles joined by '+')" });
      return;
    }
    const raw = {
      name: entry.slice(0, first),
      roles: entry.slice(first + 1, second).split('+'),
      secret: entry.slice(second + 1),
    };
    const parsed = ApiKeySchema.safeParse(raw);
    if (parsed.success) keys.push(parsed.data);
    else issues.push(...parsed.error.issues.map((issue) => ({ path: [i, ...issue.path], message: issue.message })));
  });
  if (issues.length === 0) issues.push(...duplicateIssues(keys));
  if (issues.length > 0) throw new ApiKeysConfigError('ARBITER_API_KEYS', describeIssues(issues));
  const deprecation =
    bare === 0
      ? undefined
      : `ARBITER_API_KEYS holds ${bare} bare secret(s), taken as key-1..key-${bare} with every role: ` +
        'deprecated, write name:role[+role]:secret';
  return { keys, deprecation };
}

/** A keys file: a YAML or JSON list of `{ name, roles, secret }`. */
export async function readKeysFile(path: string): Promise<ApiKey[]> {
  const source = `ARBITER_API_KEYS_FILE (${path})`;
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(path, 'utf8')) as unknown;
  } catch (err) {
    throw new ApiKeysConfigError(source, `cannot be read as YAML or JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ApiKeyListSchema.safeParse(raw);
  if (!parsed.success) throw new ApiKeysConfigError(source, describeIssues(parsed.error.issues));
  return parsed.data;
}

/** The keys from `ARBITER_API_KEYS` or `ARBITER_API_KEYS_FILE` (one of them: both is refused). */
export async function loadApiKeys(env: {
  ARBITER_API_KEYS?: string;
  ARBITER_API_KEYS_FILE?: string;
}): Promise<LoadedApiKeys> {
  const inline = env.ARBITER_API_KEYS;
  const file = env.ARBITER_API_KEYS_FILE;
  if (inline && file) throw new ApiKeysConfigError('ARBITER_API_KEYS_FILE', 'set it or ARBITER_API_KEYS, not both');
  if (file) return { keys: await readKeysFile(file) };
  return inline ? parseInlineKeys(inline) : { keys: [] };
}
