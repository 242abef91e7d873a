import { z } from 'zod';
import { builtOnce } from '../built-once';
import { OutcomeSchema } from '../decision';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/rules/spec', () => {
  /** Points at another fact instead of a literal: `value: { fact: models, path: $.gb.score }`. */
  const FactRefSchema = z.strictObject({ fact: z.string().min(1), path: z.string().min(1).optional() });
  const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
  const ConditionValueSchema = z.union([Scalar, z.array(Scalar), FactRefSchema]);
  // One object schema with a kind check, rather than a union: a union's error is "Invalid input" at
  // the condition, while this names the field that is wrong.
  const ConditionSchema: z.ZodType<Condition, ConditionInput> = z.lazy(() =>
    z
      .strictObject({
        all: z.array(ConditionSchema).min(1).optional(),
        any: z.array(ConditionSchema).min(1).optional(),
        not: ConditionSchema.optional(),
        fact: z.string().min(1).optional(),
        path: z.string().min(1).optional(),
        operator: z.string().min(1).optional(),
        value: ConditionValueSchema.optional(),
      })
      .superRefine((c, ctx) => {
        const kinds = KINDS.filter((k) => c[k] !== undefined);
        if (kinds.length !== 1) {
          const message = `a condition has exactly one of all, any, not or fact (found ${kinds.join(', ') || 'none'})`;
          ctx.addIssue({ code: 'custom', message });
        } else if (kinds[0] === 'fact') {
          if (c.operator === undefined) ctx.addIssue({ code: 'custom', path: ['operator'], message: 'required' });
          if (c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'required' });
        } else {
          for (const key of ['path', 'operator', 'value'] as const) {
            if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `only with fact` });
          }
        }
      })
      .transform((c) => c as Condition),
  );
  const RuleSchema = z.strictObject({
    name: z.string().min(1).max(100),
    /** The highest-priority matching rule decides; ties go to the rule written first. @default 1 */
    priority: z.number().int().min(1).max(1000).default(1),
    /** A condition tree (all / any / not) or a single comparison. */
    when: ConditionSchema,
    outcome: OutcomeSchema,
    /** For people: a template whose `{placeholders}` are fact paths (`score {score} ≥ 0.8`). */
    reason: z.string().min(1),
  });
  /** A versioned set of business rules turning model outputs into an outcome with reasons. */
  const RuleSetSpecSchema = z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, . _ -'),
    description: z.string().optional(),
    rules: z.array(RuleSchema),
    /** The outcome when no rule matches. */
    default: z.strictObject({ outcome: OutcomeSchema, reason: z.string().min(1) }),
  });
  return { FactRefSchema, ConditionValueSchema, ConditionSchema, RuleSchema, RuleSetSpecSchema };
});
export const FactRefSchema = schemas.FactRefSchema;
export const ConditionValueSchema = schemas.ConditionValueSchema;
export const ConditionSchema = schemas.ConditionSchema;
export const RuleSchema = schemas.RuleSchema;
export const RuleSetSpecSchema = schemas.RuleSetSpecSchema;

export type FactRef = z.infer<typeof FactRefSchema>;
export type ConditionValue = z.infer<typeof ConditionValueSchema>;

/** One comparison, as json-rules-engine writes it. `path` is JSONPath-like: `$.anomaly.score`. */
export type LeafCondition = { fact: string; path?: string; operator: string; value: ConditionValue };
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | LeafCondition;

/** What users write: one object whose keys say which kind of condition it is. */
type ConditionInput = {
  all?: ConditionInput[];
  any?: ConditionInput[];
  not?: ConditionInput;
  fact?: string;
  path?: string;
  operator?: string;
  value?: ConditionValue;
};

const KINDS = ['all', 'any', 'not', 'fact'] as const;
export type Rule = z.infer<typeof RuleSchema>;
export type RuleSetSpec = z.infer<typeof RuleSetSpecSchema>;
export type RuleSetSpecInput = z.input<typeof RuleSetSpecSchema>;

/** Every `{...}` in a reason template, with its text between the braces. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
}

const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** `models.gb.score` → `['models', 'gb', 'score']`; undefined when it is not a dotted name. */
export function splitDotted(text: string): string[] | undefined {
  return DOTTED.test(text) ? text.split('.') : undefined;
}

/** A condition path `$.gb.score` → `['gb', 'score']`; undefined unless it starts with `$.`. */
export function splitConditionPath(path: string): string[] | undefined {
  return path.startsWith('$.') ? path.slice(2).split('.') : undefined;
}
