import type { Pool } from 'pg';
import { PgVectorStore, type PgVectorStoreOptions } from './pgvector';
import { PineconeVectorStore, type PineconeVectorStoreOptions } from './pinecone';
import type { VectorStore } from './types';

export {
  PineconeHttpError,
  VectorWireError,
  pgvectorMissing,
  rejectedInput,
  toPgVectorFailure,
  toPineconeFailure,
} from './errors';
export { PgVectorStore } from './pgvector';
export type { PgVectorStoreOptions } from './pgvector';
export { CREATE_CASE_VECTORS } from './pgvector-sql';
export { PineconeVectorStore } from './pinecone';
export type { PineconeVectorStoreOptions } from './pinecone';
export {
  EmbeddingSchema,
  FieldConditionSchema,
  METADATA_FIELD,
  MetadataFilterSchema,
  MetadataValueSchema,
  NamespaceSchema,
  QueryOptionsSchema,
  VectorItemSchema,
  VectorMatchSchema,
  VectorMetadataSchema,
} from './types';
export type {
  FieldCondition,
  MetadataFilter,
  MetadataScalar,
  QueryOptions,
  VectorItem,
  VectorMatch,
  VectorMetadata,
  VectorStore,
  VectorStoreStats,
} from './types';

/** Which store, and what it needs. pgvector is the default: the database Arbiter already has. */
export type VectorStoreConfig =
  ({ kind: 'pgvector'; pool: Pool } & PgVectorStoreOptions) | ({ kind: 'pinecone' } & PineconeVectorStoreOptions);

/** The store a config names, behind the one interface activities use. */
export function createVectorStore(config: VectorStoreConfig): VectorStore {
  if (config.kind === 'pinecone') return new PineconeVectorStore(config);
  return new PgVectorStore(config.pool, config);
}
