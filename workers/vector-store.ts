import type { Pool } from 'pg';
import { createVectorStore, type VectorStore } from '../stores/vector';
import type { ArbiterEnv } from '../config/env';

/**
 * The vector store the environment names, or undefined for `none`. pgvector shares the decision
 * log's pool (and its database); Pinecone brings its own HTTP client.
 */
export function vectorStoreFromEnv(env: ArbiterEnv, pool: Pool): VectorStore | undefined {
  switch (env.ARBITER_VECTOR_STORE) {
    case 'none':
      return undefined;
    case 'pinecone':
      return createVectorStore({
        kind: 'pinecone',
        apiKey: env.PINECONE_API_KEY ?? '',
        indexName: env.PINECONE_INDEX ?? '',
        ...(env.PINECONE_INDEX_HOST ? { indexHostUrl: env.PINECONE_INDEX_HOST } : {}),
        ...(env.PINECONE_CONTROLLER_HOST ? { controllerHostUrl: env.PINECONE_CONTROLLER_HOST } : {}),
      });
    case 'pgvector':
      return createVectorStore({ kind: 'pgvector', pool });
  }
}
