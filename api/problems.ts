import { z } from 'zod';
import type { CaseIssue } from '../core/case';
import { redactConnectionStrings } from '../core/redact';

/** One bad field of a request, by its dotted path (`input.https`, `steps.0.model`). */
export const FieldErrorSchema = z.object({
  path: z.string(),
  message: z.string(),
  /** The limit broken (`no-nul`, `no-lone-surrogate`, `max-depth`, `max-fields`, `max-bytes`, `json-only`). */
  rule: z.string().optional(),
});

/** An RFC 9457 problem: every error the API answers is one of these, as `application/problem+json`. */
export const ProblemSchema = z
  .object({
    /** A stable URI naming the kind of problem (`urn:arbiter:problem:<slug>`). */
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    /** Each bad field, when the request was at fault. */
    errors: z.array(FieldErrorSchema).optional(),
    /** What exists instead, when something named was not found. */
    available: z.array(z.string()).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * A problem of kind `slug` (`urn:arbiter:problem:<slug>`). Its detail often quotes an error from a
 * worker or a driver: connection strings in it are hidden (`redactConnectionStrings`) as a last guard.
 */
export function problem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra: { errors?: CaseIssue[]; available?: string[] } = {},
): Problem {
  return { type: `urn:arbiter:problem:${slug}`, title, status, detail: redactConnectionStrings(detail), ...extra };
}

/** The HTTP response carrying a problem. */
export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/** The 400 for a request that failed its schema, naming every bad field. */
export function invalidRequest(where: string, errors: CaseIssue[]): Problem {
  const list = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return problem(400, 'invalid-request', 'Invalid request', `invalid ${where}: ${list}`, { errors });
}

/** OpenAPI response entries for the problems a route can answer. */
export function problemResponses<S extends number>(...statuses: S[]) {
  const entry = { description: 'a problem (RFC 9457)', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
  return Object.fromEntries(statuses.map((s) => [s, entry])) as Record<S, typeof entry>;
}
