import { z } from 'zod';
import { toCaseIssues, type CaseIssue } from './case';

/**
 * Unknown keys in a spec a person wrote (pipeline, rule set, model card), found by walking the raw
 * value beside its schema. A typo'd optional field (`metaModel:` for `model:`) is otherwise dropped
 * in silence by zod's default object mode and the spec runs without it.
 *
 * Why a walk and not `.strict()` on the schemas: the same schemas re-parse specs already stored
 * and pinned into workflow histories, and those must keep loading even if a field is ever retired.
 * The walk runs only where a person hands a spec in (validate, apply, register), and it knows the
 * fields of each object, so it can name the one that was probably meant.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Schema = z.core.$ZodType;

/** Peels the wrappers that do not change an object's keys. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap();
    else if (s instanceof z.ZodPrefault || s instanceof z.ZodReadonly || s instanceof z.ZodCatch) s = s.unwrap();
    else if (s instanceof z.ZodNonOptional) s = s.unwrap();
    else if (s instanceof z.ZodLazy) s = s.unwrap();
    else if (s instanceof z.ZodPipe) s = s.in;
    else return s;
  }
}

/** The option of a union that `raw` is meant as: by discriminator, else the first that accepts it. */
function optionFor(union: z.ZodUnion, raw: unknown): Schema | undefined {
  const options: readonly Schema[] = union.options;
  if (union instanceof z.ZodDiscriminatedUnion && isRecord(raw)) {
    const key = union._zod.def.discriminator;
    return options.find((o) => {
      const inner = unwrap(o);
      const field = inner instanceof z.ZodObject ? (inner.shape as Record<string, Schema>)[key] : undefined;
      return field !== undefined && z.safeParse(field, raw[key]).success;
    });
  }
  return options.find((o) => z.safeParse(o, raw).success);
}

/** Edit distance counting a swap of neighbours as one edit (`modle` → `model`), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] ?? [])[j] = best;
    }
  }
  return at(a.length, b.length);
}

const prefixLength = (a: string, b: string) => {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
};

/**
 * The known key `key` was probably meant as: the same ignoring case, a small edit away
 * (`treshold`), containing the other or sharing its stem (`metaModel` → `model`, `retries` → `retry`).
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: { key: string; score: number } | undefined;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    const d = distance(k, c);
    const close = d <= Math.max(1, Math.floor(c.length / 3));
    const shorter = Math.min(c.length, k.length);
    // `metaModel` → `model`, `timeout` → `timeoutMs`, `retries` → `retry`.
    const contains = shorter >= 3 && (k.includes(c) || c.includes(k));
    const sharesStem = prefixLength(k, c) >= Math.max(4, Math.ceil(shorter * 0.6));
    if (!close && !contains && !sharesStem) continue;
    const score = close ? d : 100 + Math.abs(c.length - k.length);
    if (!best || score < best.score) best = { key: candidate, score };
  }
  return best?.key;
}

function unknownKeyMessage(key: string, known: string[]): string {
  const near = nearestKey(key, known);
  return near
    ? `unknown field '${key}' (did you mean '${near}'?)`
    : `unknown field '${key}'; known here: ${known.join(', ')}`;
}

/** Collects the unknown keys of `raw` into `issues`, and returns `raw` without them. */
function walk(schema: Schema, raw: unknown, path: string[], issues: CaseIssue[]): unknown {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject && isRecord(raw)) {
    const shape: Record<string, Schema> = s.shape;
    const catchall = s._zod.def.catchall;
    // A loose object (`catchall` other than never: provenance blocks, free-form config) takes any key.
    const open = catchall !== undefined && !(catchall instanceof z.ZodNever);
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const field = shape[key];
      if (field || open) kept[key] = field ? walk(field, value, [...path, key], issues) : value;
      else issues.push({ path: [...path, key].join('.'), message: unknownKeyMessage(key, Object.keys(shape)) });
    }
    return kept;
  }
  if (s instanceof z.ZodArray && Array.isArray(raw)) {
    return raw.map((item, i) => walk(s.element, item, [...path, String(i)], issues));
  }
  if (s instanceof z.ZodRecord && isRecord(raw)) {
    return Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [key, walk(s.valueType, value, [...path, key], issues)]),
    );
  }
  if (s instanceof z.ZodUnion) {
    const option = optionFor(s, raw);
    return option ? walk(option, raw, path, issues) : raw;
  }
  return raw;
}

/** Every key of `raw` that `schema` has no field for, each with its path and the field probably meant. */
export function unknownKeyIssues(schema: Schema, raw: unknown): CaseIssue[] {
  const issues: CaseIssue[] = [];
  walk(schema, raw, [], issues);
  return issues;
}

/**
 * Parses a spec a person wrote, refusing unknown keys anywhere in it: every problem at once, each
 * with its path. `data` is there when only unknown keys were wrong, so a caller can go on to its
 * own checks and report theirs too. Zod's own unknown-key issues (from strict objects) give way to
 * the walk's, which say what was probably meant.
 */
export function parseSpec<T>(schema: z.ZodType<T>, raw: unknown): { data?: T; issues: CaseIssue[] } {
  const parsed = schema.safeParse(raw);
  const unknown: CaseIssue[] = [];
  const known = walk(schema, raw, [], unknown);
  if (parsed.success) return { data: parsed.data, issues: unknown };
  const rest = parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys');
  // Only strict objects' unknown keys were wrong: the rest of the spec, parsed, for the caller's checks.
  const without = rest.length === 0 && unknown.length > 0 ? schema.safeParse(known) : undefined;
  if (without?.success) return { data: without.data, issues: unknown };
  const issues = [...toCaseIssues({ issues: rest }), ...unknown];
  // Should the walk ever miss a key a strict object refused, zod's own issue still says so.
  return { issues: issues.length > 0 ? issues : toCaseIssues(parsed.error) };
}
