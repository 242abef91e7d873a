import { DecisionRequestSchema, toCaseIssues, type CaseIssue } from '../case';
import { checkCaseLimits, DEFAULT_CASE_LIMITS, type CaseLimits } from '../case-limits';
import { printableKey } from '../case-text';
import type { BatchCase, BatchRejection } from './schema';

/** A bad line's raw text, as kept with its rejection. */
export const MAX_KEPT_LINE = 2000;

function caseIdOf(value: unknown): string | null {
  const id = (value as { caseId?: unknown } | null)?.caseId;
  return typeof id === 'string' ? printableKey(id.slice(0, 128), 128) : null;
}

function reasonOf(issues: readonly CaseIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/** A rejection for a case whose envelope or input failed validation. */
export function rejectionOf(line: number | null, caseId: string | null, issues: CaseIssue[]): BatchRejection {
  return { line, caseId, reason: reasonOf(issues), issues };
}

/**
 * One NDJSON line as a case (`{ caseId, input }`, as `decide` takes it) or as a rejection naming
 * the line and every problem. Only the envelope and the limits are checked here; the models check the input.
 */
export function parseCaseLine(
  text: string,
  line: number,
  limits: CaseLimits = DEFAULT_CASE_LIMITS,
): { ok: true; value: BatchCase } | { ok: false; rejection: BatchRejection } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const issues = [{ path: '(line)', message: `not JSON: ${(err as Error).message}` }];
    return { ok: false, rejection: rejectionOf(line, null, issues) };
  }
  return caseOf(value, line, limits);
}

/**
 * An already-parsed value (a line, a table row) as a case or a rejection. The edge's limits
 * (core/case-limits.ts) come first, as for a single decision.
 */
export function caseOf(
  value: unknown,
  line: number | null,
  limits: CaseLimits = DEFAULT_CASE_LIMITS,
): { ok: true; value: BatchCase } | { ok: false; rejection: BatchRejection } {
  const refused = checkCaseLimits(value, limits);
  if (refused.length > 0) return { ok: false, rejection: rejectionOf(line, caseIdOf(value), refused) };
  const parsed = DecisionRequestSchema.safeParse(value);
  if (!parsed.success) return { ok: false, rejection: rejectionOf(line, caseIdOf(value), toCaseIssues(parsed.error)) };
  return { ok: true, value: { caseId: parsed.data.caseId, input: parsed.data.input, line } };
}
