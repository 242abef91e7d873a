import { z } from 'zod';
import { builtOnce } from './built-once';
import type { CaseIssue } from './case';
import { printableKey, scanText } from './case-text';

/**
 * The limits every way in checks a case against before a workflow starts (and the decision
 * workflow checks again, for a case started around the client). Pure and sandbox-safe: no Buffer,
 * no recursion (a 10,000-deep case must not overflow the stack), and it stops as soon as the case
 * is known to be too big, so a huge case costs no more than the limits it breaks.
 */

/** Containers (objects, arrays) nested deeper than this under the request are refused. */
export const MAX_CASE_DEPTH = 32;
/** @default 1000 */
export const DEFAULT_MAX_CASE_FIELDS = 1000;
/** @default 262144 (256 KiB) */
export const DEFAULT_MAX_CASE_BYTES = 256 * 1024;
/** The ceiling for ARBITER_MAX_CASE_BYTES: the case travels in workflow history, which must stay small. */
export const CEILING_MAX_CASE_BYTES = 1024 * 1024;
/** Issues reported before the walk stops: enough to fix a case, never a flood. */
export const MAX_CASE_ISSUES = 20;

/** The rule a limit issue names (also in its message, for readers of the message alone). */
export const CaseRule = {
  Nul: 'no-nul',
  LoneSurrogate: 'no-lone-surrogate',
  MaxDepth: 'max-depth',
  MaxFields: 'max-fields',
  MaxBytes: 'max-bytes',
  NotJson: 'json-only',
} as const;
export type CaseRule = (typeof CaseRule)[keyof typeof CaseRule];
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/case-limits', () => {
  const CaseLimitsSchema = z.object({
    /**
     * Fields in the whole case: every key of every object at every depth of the request below its
     * envelope (`input`'s keys, their objects' keys, keys of objects inside arrays, ...). Array
     * elements are not fields themselves; the byte limit bounds them. @default 1000
     */
    maxFields: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_CASE_FIELDS),
    /** The case encoded as compact JSON, in UTF-8 bytes. @default 262144 (256 KiB) */
    maxBytes: z.number().int().min(64).max(CEILING_MAX_CASE_BYTES).default(DEFAULT_MAX_CASE_BYTES),
  });
  return { CaseLimitsSchema };
});
export const CaseLimitsSchema = schemas.CaseLimitsSchema;

export type CaseLimits = z.infer<typeof CaseLimitsSchema>;
export const DEFAULT_CASE_LIMITS: CaseLimits = { maxFields: DEFAULT_MAX_CASE_FIELDS, maxBytes: DEFAULT_MAX_CASE_BYTES };

export type CaseLimitIssue = CaseIssue & { rule: CaseRule };

/** A value still to visit; paths are built from parents only when an issue needs one. */
interface Node {
  value: unknown;
  /** The request is 0, `input` 1, `input.a` 2, ... */
  depth: number;
  key: string | undefined;
  parent: Node | undefined;
}

function pathOf(node: Node | undefined, last?: string): string {
  const parts: string[] = last === undefined ? [] : [printableKey(last)];
  for (let n = node; n?.key !== undefined; n = n.parent) parts.push(printableKey(n.key));
  return parts.length === 0 ? '(root)' : parts.reverse().join('.');
}

/** What JSON.stringify would write for a value: `toJSON()` first (a Date becomes its string). */
function jsonValue(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  return typeof toJSON === 'function' ? (toJSON as (k: string) => unknown).call(value, key) : value;
}

/** A number (as JSON writes it: non-finite ones as `null`), a boolean or null. */
function scalarBytes(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  return value === false ? 5 : 4;
}

/** JSON.stringify leaves these out of objects (and writes `null` for them in arrays). */
const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * Every way a case breaks the limits, each naming its rule and the path (`input.a.b`, keys with
 * NUL or lone surrogates escaped). Empty when the case is within them. Iterative, depth-bounded,
 * stops at the first field or byte over the limit and after MAX_CASE_ISSUES issues. Checks only
 * the limits: the envelope (`caseId`, `input`) is DecisionRequestSchema's job.
 */
export function checkCaseLimits(request: unknown, limits: CaseLimits = DEFAULT_CASE_LIMITS): CaseLimitIssue[] {
  const issues: CaseLimitIssue[] = [];
  const add = (path: string, rule: CaseRule, message: string) => {
    issues.push({ path, rule, message: `${message} (rule ${rule})` });
    return issues.length >= MAX_CASE_ISSUES;
  };
  let fields = 0;
  let bytes = 0;
  const overBytes = () => {
    if (bytes <= limits.maxBytes) return false;
    add('(root)', CaseRule.MaxBytes, `the case is over ${limits.maxBytes} bytes encoded as JSON`);
    return true;
  };
  /** Counts a string (value or key); true when the walk must stop. */
  const text = (s: string, path: () => string, what: string) => {
    if (s.length > limits.maxBytes) {
      // Every code unit is at least a byte: no need to read a huge string to know it is too big.
      bytes += s.length;
      return overBytes();
    }
    const scan = scanText(s);
    bytes += scan.bytes;
    if (scan.nul && add(path(), CaseRule.Nul, `NUL (U+0000) in ${what}`)) return true;
    if (scan.loneSurrogate && add(path(), CaseRule.LoneSurrogate, `lone UTF-16 surrogate in ${what}`)) return true;
    return overBytes();
  };
  const stack: Node[] = [{ value: request, depth: 0, key: undefined, parent: undefined }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const current = node;
    let value: unknown;
    try {
      value = jsonValue(current.value, current.key ?? '');
    } catch {
      if (add(pathOf(current), CaseRule.NotJson, 'a value whose toJSON() throws')) break;
      continue;
    }
    if (typeof value === 'string') {
      if (text(value, () => pathOf(current), 'a value')) break;
      continue;
    }
    if (typeof value === 'bigint') {
      if (add(pathOf(current), CaseRule.NotJson, `a ${typeof value}, which JSON cannot carry`)) break;
      continue;
    }
    // A scalar (or a missing request: the envelope schema's to name, not a limit).
    if (typeof value !== 'object' || value === null) {
      bytes += scalarBytes(value);
      if (overBytes()) break;
      continue;
    }
    if (current.depth > MAX_CASE_DEPTH) {
      if (add(pathOf(current), CaseRule.MaxDepth, `nested deeper than ${MAX_CASE_DEPTH} levels`)) break;
      continue;
    }
    if (visitContainer(value, current)) break;
  }
  return issues;

  /** Counts a container's own bytes and fields and queues its children; true when the walk must stop. */
  function visitContainer(value: object, node: Node): boolean {
    const depth = node.depth + 1;
    if (Array.isArray(value)) {
      bytes += 1 + Math.max(value.length, 1); // brackets and commas
      if (overBytes()) return true;
      for (let i = value.length - 1; i >= 0; i--) {
        const v: unknown = value[i];
        stack.push({ value: omitted(v) ? null : v, depth, key: String(i), parent: node });
      }
      return false;
    }
    const entries = Object.entries(value).filter(([, v]) => !omitted(v));
    bytes += 1 + Math.max(entries.length, 1) + entries.length; // braces, commas, colons
    if (node.depth > 0) fields += entries.length;
    if (fields > limits.maxFields) {
      add(pathOf(node), CaseRule.MaxFields, `more than ${limits.maxFields} fields (every key at every depth counts)`);
      return true;
    }
    for (const [k] of entries) if (text(k, () => pathOf(node, k), 'a field name')) return true;
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i] as [string, unknown];
      stack.push({ value: v, depth, key: k, parent: node });
    }
    return overBytes();
  }
}

/** The NUL and lone-surrogate rules alone, for a free-text field (a feedback note). */
export function checkText(value: string, path: string): CaseLimitIssue[] {
  const scan = scanText(value);
  const issues: CaseLimitIssue[] = [];
  if (scan.nul) issues.push({ path, rule: CaseRule.Nul, message: `NUL (U+0000) in the text (rule ${CaseRule.Nul})` });
  if (scan.loneSurrogate) {
    const rule = CaseRule.LoneSurrogate;
    issues.push({ path, rule, message: `lone UTF-16 surrogate in the text (rule ${rule})` });
  }
  return issues;
}
