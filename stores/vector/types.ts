import { z } from 'zod';

/**
 * One contract for "similar past decisions", whatever holds the vectors. Metadata and filters follow
 * Pinecone's rules (the stricter of the two backends), so a pipeline can move between them unchanged.
 */

/** Metadata field names: flat keys (Pinecone has no nesting), never starting with `$` (operators do). */
export const METADATA_FIELD = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const FieldNameSchema = z.string().regex(METADATA_FIELD, 'a field name is letters, digits, _ . - (at most 128)');

/** Pinecone's metadata value types: no null, no nested objects, lists of strings only. */
export const MetadataValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);
export const VectorMetadataSchema = z.record(FieldNameSchema, MetadataValueSchema);
export type VectorMetadata = z.infer<typeof VectorMetadataSchema>;

/** One namespace per pipeline. */
export const NamespaceSchema = z.string().min(1).max(256);

/** A dense vector with a direction: cosine similarity is undefined for the zero vector. */
export const EmbeddingSchema = z
  .array(z.number())
  .min(1)
  .refine((v) => v.some((x) => x !== 0), 'the zero vector has no direction (cosine similarity is undefined)');

export const VectorItemSchema = z.object({
  id: z.string().min(1).max(512),
  vector: EmbeddingSchema,
  metadata: VectorMetadataSchema,
});
export type VectorItem = z.infer<typeof VectorItemSchema>;

/** A neighbour; `score` is the cosine similarity in [-1, 1], higher is more similar. */
export const VectorMatchSchema = z.object({ id: z.string(), score: z.number(), metadata: VectorMetadataSchema });
export type VectorMatch = z.infer<typeof VectorMatchSchema>;

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

const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);
const ValueListSchema = z.array(z.union([z.string(), z.number()])).min(1);

export const FieldConditionSchema = z
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

export const MetadataFilterSchema: z.ZodType<MetadataFilter> = z.lazy(() =>
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

export const QueryOptionsSchema = z.object({
  /** Pinecone's ceiling. */
  topK: z.number().int().min(1).max(10_000),
  filter: MetadataFilterSchema.optional(),
  /** Leave this id out (the case being decided, when it is already stored). */
  excludeId: z.string().min(1).optional(),
});
export type QueryOptions = z.infer<typeof QueryOptionsSchema>;

export interface VectorStoreStats {
  namespaces: Record<string, { vectorCount: number }>;
  dimension?: number;
}

/**
 * Vectors by namespace (one per pipeline). Every method rejects with a classified `ApplicationFailure`
 * (`stores/vector/errors.ts`): `Vector.Unavailable` is retryable, `Vector.Rejected` is not.
 */
export interface VectorStore {
  readonly kind: 'pgvector' | 'pinecone';
  /** Inserts or replaces by id; running it twice changes nothing. */
  upsert(namespace: string, items: VectorItem[]): Promise<void>;
  /** The `topK` most similar vectors matching `filter`, best first. */
  query(namespace: string, vector: number[], options: QueryOptions): Promise<VectorMatch[]>;
  /** Sets these fields and keeps the others; an unknown id is left alone (as Pinecone does). */
  updateMetadata(namespace: string, id: string, metadata: VectorMetadata): Promise<void>;
  stats(): Promise<VectorStoreStats>;
  /** Releases what the store itself opened (never an injected pool). */
  close(): Promise<void>;
}
