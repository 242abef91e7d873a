import { z } from 'zod';
import { nearestKey } from '../core/unknown-keys';

/**
 * What a key may do. `decide`: start decisions and call models and pipelines; `review`: approve or
 * decline decisions waiting for review and label decisions (feedback); `admin`: register models,
 * move aliases, apply pipelines, and everything the other roles may; `read`: every GET and `/metrics`.
 */
export const ROLES = ['decide', 'review', 'admin', 'read'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Shorter secrets are refused: a key is a bearer credential, guessable ones are no credential. */
export const MIN_SECRET_LENGTH = 16;

const roleName = z.string().transform((v, ctx) => {
  const parsed = RoleSchema.safeParse(v);
  if (parsed.success) return parsed.data;
  const near = nearestKey(v, ROLES);
  const hint = near ? ` (did you mean '${near}'?)` : '';
  ctx.addIssue({ code: 'custom', message: `unknown role '${v}'${hint}; roles: ${ROLES.join(', ')}` });
  return z.NEVER;
});

/** One API key: who holds it (recorded as the actor of what it does), what it may do, and the secret. */
export const ApiKeySchema = z.strictObject({
  /** Recorded as the reviewer and the actor; never a secret. */
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$/,
      'a name is 1-63 letters, digits, . _ @ - (starting with a letter or digit)',
    ),
  roles: z.array(roleName).min(1, 'a key needs at least one role'),
  secret: z
    .string()
    .min(1, { message: 'the secret is empty', abort: true })
    .min(MIN_SECRET_LENGTH, `the secret is too short: at least ${MIN_SECRET_LENGTH} characters`)
    .regex(/^\S+$/, 'a secret cannot contain whitespace'),
});
export type ApiKey = z.output<typeof ApiKeySchema>;

/** What is wrong with a key, by its index in the list and the field. */
export interface KeyIssue {
  path: PropertyKey[];
  message: string;
}

/** Names and secrets are unique: a name identifies one holder, a secret one key. */
export function duplicateIssues(keys: readonly ApiKey[]): KeyIssue[] {
  const seen = { name: new Set<string>(), secret: new Set<string>() };
  const issues: KeyIssue[] = [];
  const issue = (i: number, field: string, message: string) => issues.push({ path: [i, field], message });
  keys.forEach((key, i) => {
    if (seen.name.has(key.name)) issue(i, 'name', `duplicate key name '${key.name}'`);
    // Never echo the secret: say which key repeats another's.
    if (seen.secret.has(key.secret)) issue(i, 'secret', `key '${key.name}' has the same secret as another key`);
    seen.name.add(key.name);
    seen.secret.add(key.secret);
  });
  return issues;
}

/** A list of keys, as a keys file holds it. */
export const ApiKeyListSchema = z.array(ApiKeySchema).superRefine((keys, ctx) => {
  for (const { path, message } of duplicateIssues(keys)) ctx.addIssue({ code: 'custom', path, message });
});

/** The keys `arbiter api` was configured with, or why they cannot be used. */
export class ApiKeysConfigError extends Error {
  constructor(source: string, detail: string, options?: ErrorOptions) {
    super(`${source}: ${detail}`, options);
    this.name = 'ApiKeysConfigError';
  }
}

/** Issues as one line, with each key named by its position (never by its secret). */
export function describeIssues(issues: readonly KeyIssue[]): string {
  return issues
    .map((i) => {
      const [index, ...rest] = i.path;
      const where = typeof index === 'number' ? `key ${index + 1}${rest.length ? ` ${rest.join('.')}` : ''}` : '';
      return where ? `${where}: ${i.message}` : i.message;
    })
    .join('; ');
}
