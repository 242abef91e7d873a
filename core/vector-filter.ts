import { z } from 'zod';
import { builtOnce } from './built-once';

/**
 * Pinecone's metadata filter language (the subset both vector stores implement). Pure, so pipeline
 * specs in `core/` can carry a filter and have it checked when they are applied.
 */

/** Metadata field names: flat keys (Pinecone has no nesting), never starting with `$` (operators do). */
export const METADATA_FIELD = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/vector-filter', () => {
  const FieldNameSchema = z.string().regex(METADATA_FIELD, 'a field name is letters, digits, _ . - (at most 128)');
  const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);
  const ValueListSchema = z.array(z.union([z.string(), z.number()])).min(1);
  const FieldConditionSchema = z
    .strictObject({
      $eq: ScalarSchema.optional(),
      $ne: ScalarSchema.optional(),
      $in: ValueListSchema.optional(),
      $nin: ValueListSchema.optional(),
      $gt: z.number().optional(),
      $gte: z.number().optional(),
      $lt: z.number().optional(),
      $lte: z.number().optional(),
    })
    .refine((c) => Object.values(c).some((v) => v !== undefined), 'a condition needs at least one operator');
  const MetadataFilterSchema: z.ZodType<MetadataFilter> = z.lazy(() =>
    z
      .record(z.string(), z.union([ScalarSchema, FieldConditionSchema, z.array(MetadataFilterSchema).min(1)]))
      .superRefine((filter, ctx) => {
        if (Object.keys(filter).length === 0) {
          ctx.addIssue({ code: 'custom', message: 'an empty filter: leave it out to match everything' });
        }
        for (const [key, value] of Object.entries(filter)) {
          const fail = (message: string) => ctx.addIssue({ code: 'custom', message, path: [key] });
          if (key === '$and' || key === '$or') {
            if (!Array.isArray(value)) fail(`${key} takes a list of filters`);
          } else if (key.startsWith('$')) fail(`unknown operator ${key} (use $and, $or, or a field name)`);
          else if (!METADATA_FIELD.test(key)) fail('a field name is letters, digits, _ . - (at most 128)');
          else if (Array.isArray(value)) fail('a field takes a value or a condition, not a list (use $in)');
        }
      }),
  );
  return { FieldNameSchema, FieldConditionSchema, MetadataFilterSchema };
});
export const FieldNameSchema = schemas.FieldNameSchema;
export const FieldConditionSchema = schemas.FieldConditionSchema;
export const MetadataFilterSchema = schemas.MetadataFilterSchema;

export type MetadataScalar = string | number | boolean;

/** The operators on one field; several in one condition must all hold. */
export interface FieldCondition {
  $eq?: MetadataScalar;
  $ne?: MetadataScalar;
  $in?: (string | number)[];
  $nin?: (string | number)[];
  $gt?: number;
  $gte?: number;
  $lt?: number;
  $lte?: number;
}

/**
 * Pinecone's filter language (the subset both stores implement): `{ field: value }` (short for `$eq`),
 * `{ field: { $op: value } }`, `{ $and: [...] }`, `{ $or: [...] }`; several keys in one object all hold.
 * On a list-of-strings field a condition holds when any element satisfies it (`$ne`, `$nin`: none
 * does); a record without the field matches `$ne` and `$nin` only (MongoDB's semantics).
 */
export type MetadataFilter = { [key: string]: MetadataScalar | FieldCondition | MetadataFilter[] };
