import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import type { PinnedModel } from '../core/model-ref';
import { toSimilarCase, type SimilarCase } from '../core/similar';
import type { MetadataFilter } from '../core/vector-filter';
import type { ModelRuntime } from '../models/runtime';
import type { ResultCache } from '../stores/cache';
import { EmbeddingSchema, type VectorMetadata, type VectorStore } from '../stores/vector';
import { createCallModel } from './call-model';
import { inSpan } from '../telemetry/spans';
import { decisionAttributes } from './telemetry';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';

export interface FindSimilarInput {
  embedder: PinnedModel;
  input: Record<string, unknown>;
  /** The pipeline's name. */
  namespace: string;
  topK: number;
  minScore?: number;
  filter?: MetadataFilter;
  /** The decision being taken (left out of its own neighbours, e.g. on a retry). */
  excludeId: string;
}

export interface FindSimilarOutput {
  /** The case's embedding: stored with the outcome once the case is decided. */
  vector: number[];
  matches: SimilarCase[];
  latencyMs: number;
}

export interface CaseVectorInput {
  namespace: string;
  id: string;
  vector: number[];
  metadata: VectorMetadata;
}

export interface SimilarityDeps {
  runtime: ModelRuntime;
  cache?: ResultCache;
  vectors?: VectorStore;
  /** Counts each search try by result, and times the ones that succeed. @default not counted */
  metrics?: ArbiterMetrics;
  now?: () => number;
}

function storeOf(vectors: VectorStore | undefined): VectorStore {
  if (vectors) return vectors;
  throw ApplicationFailure.create({
    type: Failure.Similarity.NotConfigured,
    message: 'no vector store is configured (ARBITER_VECTOR_STORE=none)',
    nonRetryable: true,
  });
}

/**
 * Builds the similar-case activities: `findSimilar` embeds a case and fetches its nearest past
 * decisions; `rememberCase` stores a decided case's vector; `annotateCase` updates its metadata
 * (a reviewer's verdict). All are idempotent by decision id.
 */
export function createSimilarityActivities({
  runtime,
  cache,
  vectors,
  metrics,
  now = () => performance.now(),
}: SimilarityDeps) {
  const callModel = createCallModel({ runtime, cache });
  const findSimilar = async (input: FindSimilarInput): Promise<FindSimilarOutput> => {
    const store = storeOf(vectors);
    const started = now();
    const { output } = await callModel({ model: input.embedder, input: input.input });
    const vector = EmbeddingSchema.safeParse(output.vector);
    if (!vector.success) {
      throw ApplicationFailure.create({
        type: Failure.Similarity.NoVector,
        message: `embedder ${input.embedder.name}@${input.embedder.version} gave no usable 'vector'`,
        nonRetryable: true,
      });
    }
    const search = { ...decisionAttributes(), 'arbiter.vector_store': store.kind, 'arbiter.top_k': input.topK };
    const found = await inSpan('vector search', search, () =>
      store.query(input.namespace, vector.data, {
        topK: input.topK,
        excludeId: input.excludeId,
        ...(input.filter ? { filter: input.filter } : {}),
      }),
    );
    const matches = found
      .filter((m) => input.minScore === undefined || m.score >= input.minScore)
      .map(toSimilarCase)
      .filter((m): m is SimilarCase => m !== undefined);
    return { vector: vector.data, matches, latencyMs: Math.round((now() - started) * 1000) / 1000 };
  };
  return {
    findSimilar: async (input: FindSimilarInput): Promise<FindSimilarOutput> => {
      const pipeline = input.namespace;
      try {
        const found = await findSimilar(input);
        metrics?.similarSearches.inc({ pipeline, result: 'ok' });
        metrics?.similarSearchDuration.observe({ pipeline }, found.latencyMs / 1000);
        return found;
      } catch (err) {
        const type = err instanceof ApplicationFailure && err.type ? err.type : 'unclassified';
        metrics?.similarSearches.inc({ pipeline, result: type });
        throw err;
      }
    },

    rememberCase: async ({ namespace, id, vector, metadata }: CaseVectorInput): Promise<void> => {
      await storeOf(vectors).upsert(namespace, [{ id, vector, metadata }]);
    },

    annotateCase: async ({ namespace, id, metadata }: Omit<CaseVectorInput, 'vector'>): Promise<void> => {
      await storeOf(vectors).updateMetadata(namespace, id, metadata);
    },
  };
}
