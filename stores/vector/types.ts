import { z } from 'zod';
import { FieldNameSchema, MetadataFilterSchema } from '../../core/vector-filter';

export {
  FieldConditionSchema,
  METADATA_FIELD,
  MetadataFilterSchema,
  type FieldCondition,
  type MetadataFilter,
  type MetadataScalar,
} from '../../core/vector-filter';

/**
 * One contract for "similar past decisions", whatever holds the vectors. Metadata and filters follow
 * Pinecone's rules (the stricter of the two backends), so a pipeline can move between them unchanged.
 */

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
