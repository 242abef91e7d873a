import { z } from 'zod';
import { builtOnce } from './built-once';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/case', () => {
  /** A case id doubles as the decision id and the Temporal workflow id suffix, so keep it URL- and UI-safe. */
  const CaseIdSchema = z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only, starting with a letter or digit');
  /** What a caller submits for a decision: an id and the case's fields. */
  const DecisionRequestSchema = z.object({
    caseId: CaseIdSchema,
    input: z.record(z.string(), z.unknown()),
  });
  /** The numeric features a model reads, in tensor order, with the closed range each must fall in. */
  const FeatureSpecSchema = z.object({
    features: z.array(z.string().min(1)).min(1),
    range: z.tuple([z.number(), z.number()]),
  });
  /**
   * One problem with a submitted case, pointing at the field by its dotted path. `rule` names the
   * edge limit it breaks (core/case-limits.ts `CaseRule`); schema issues have none.
   */
  const CaseIssueSchema = z.object({ path: z.string(), message: z.string(), rule: z.string().optional() });
  return { CaseIdSchema, DecisionRequestSchema, FeatureSpecSchema, CaseIssueSchema };
});
export const CaseIdSchema = schemas.CaseIdSchema;
export const DecisionRequestSchema = schemas.DecisionRequestSchema;
export const FeatureSpecSchema = schemas.FeatureSpecSchema;
export const CaseIssueSchema = schemas.CaseIssueSchema;

export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
export type CaseIssue = z.infer<typeof CaseIssueSchema>;

/** Builds the strict zod schema for a model's input: every feature present, finite, in range; nothing extra. */
export function featureSchema(spec: FeatureSpec): z.ZodType<Record<string, number>> {
  const [min, max] = spec.range;
  const shape = Object.fromEntries(spec.features.map((name) => [name, z.number().finite().min(min).max(max)]));
  return z.strictObject(shape);
}

/** Flattens a zod error into field-named issues (`input.https: expected number, received string`). */
export function toCaseIssues(error: Pick<z.ZodError, 'issues'>, prefix: string[] = []): CaseIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.') || '(root)', message: issue.message }];
  });
}

/** Orders a validated feature record into the row a model tensor expects. */
export function toFeatureRow(spec: FeatureSpec, input: Record<string, number>): number[] {
  return spec.features.map((name) => input[name] ?? Number.NaN);
}

export type ValidatedCase = { caseId: string; features: Record<string, number> };

/**
 * Validates a raw request against the envelope and the model's feature spec.
 * Returns every problem at once so a caller can fix the case in one go.
 */
export function validateCase(
  raw: unknown,
  spec: FeatureSpec,
): { ok: true; value: ValidatedCase } | { ok: false; issues: CaseIssue[] } {
  const envelope = DecisionRequestSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, issues: toCaseIssues(envelope.error) };
  const features = featureSchema(spec).safeParse(envelope.data.input);
  if (!features.success) return { ok: false, issues: toCaseIssues(features.error, ['input']) };
  return { ok: true, value: { caseId: envelope.data.caseId, features: features.data } };
}
