import type { FieldCondition, MetadataFilter, MetadataScalar } from './types';

/**
 * All SQL of the pgvector store (STYLE rule 9). Values always travel as parameters, field names too
 * (they are also validated by `METADATA_FIELD`): nothing a caller sends is spliced into SQL text.
 *
 * The table itself (and why it has no ANN index) is declared with the migrations, in
 * stores/migrations/list.ts; `PgVectorStore` also creates it once pgvector is installed.
 */
export { CREATE_CASE_VECTORS } from '../migrations/list';

export const VECTOR_EXTENSION_VERSION = `SELECT extversion FROM pg_extension WHERE extname = 'vector'`;
export const CREATE_VECTOR_EXTENSION = 'CREATE EXTENSION IF NOT EXISTS vector';
export const CASE_VECTORS_EXISTS = `SELECT to_regclass('case_vectors') IS NOT NULL AS exists`;

/** $1 namespace, $2 `[{ id, embedding: '[1,2,…]', metadata }]` as jsonb. */
export const UPSERT_VECTORS = `
INSERT INTO case_vectors (namespace, id, embedding, metadata)
SELECT $1, x.id, x.embedding::vector, x.metadata
FROM jsonb_to_recordset($2::jsonb) AS x(id text, embedding text, metadata jsonb)
ON CONFLICT (namespace, id) DO UPDATE
  SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata, updated_at = now()`;

/** $1 namespace, $2 id, $3 the fields to set (jsonb `||` keeps the others). */
export const MERGE_METADATA = `
UPDATE case_vectors SET metadata = metadata || $3::jsonb, updated_at = now()
WHERE namespace = $1 AND id = $2`;

export const COUNT_BY_NAMESPACE = `
SELECT namespace, count(*)::int AS vector_count FROM case_vectors GROUP BY namespace ORDER BY namespace`;

/**
 * Nearest neighbours by cosine distance (`<=>`); score = 1 - distance; ties broken by id. The scan is
 * exact, so the distance is computed once a row in the inner query: with `1 - (embedding <=> v)` in
 * the select list beside `ORDER BY embedding <=> v`, PostgreSQL computed it twice for every row
 * (PGlite, 3,000 vectors of 9: 2.5–2.7 → 2.0–2.2 ms a query).
 */
export function nearestQuery(
  namespace: string,
  vector: number[],
  options: { topK: number; filter?: MetadataFilter; excludeId?: string },
): { text: string; values: unknown[] } {
  const values: unknown[] = [namespace, JSON.stringify(vector), vector.length, options.excludeId ?? null, options.topK];
  const where = options.filter ? `AND ${compileFilter(options.filter, values)}` : '';
  const text = `
SELECT id, 1 - distance AS score, metadata
FROM (
  SELECT id, embedding <=> $2::vector AS distance, metadata
  FROM case_vectors
  WHERE namespace = $1 AND vector_dims(embedding) = $3 AND ($4::text IS NULL OR id <> $4::text) ${where}
  ORDER BY distance, id
  LIMIT $5
) nearest
ORDER BY distance, id`;
  return { text, values };
}

/** Translates a validated filter into a boolean SQL expression, pushing every value onto `values`. */
export function compileFilter(filter: MetadataFilter, values: unknown[]): string {
  const param = (value: unknown, cast: string) => `$${values.push(value)}::${cast}`;
  const clauses = Object.entries(filter).map(([key, value]) => {
    if (key === '$and' || key === '$or') {
      const parts = (value as MetadataFilter[]).map((f) => compileFilter(f, values));
      return `(${parts.join(key === '$and' ? ' AND ' : ' OR ')})`;
    }
    const field = param(key, 'text');
    const condition: FieldCondition = typeof value === 'object' ? (value as FieldCondition) : { $eq: value };
    return compileCondition(field, condition, param);
  });
  return `(${clauses.join(' AND ')})`;
}

type Param = (value: unknown, cast: string) => string;

const COMPARISONS = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;

function compileCondition(field: string, c: FieldCondition, param: Param): string {
  const parts: string[] = [];
  if (c.$eq !== undefined) parts.push(anyOf(field, [c.$eq], param));
  if (c.$ne !== undefined) parts.push(`NOT ${anyOf(field, [c.$ne], param)}`);
  if (c.$in !== undefined) parts.push(anyOf(field, c.$in, param));
  if (c.$nin !== undefined) parts.push(`NOT ${anyOf(field, c.$nin, param)}`);
  for (const [op, sql] of Object.entries(COMPARISONS)) {
    const bound = c[op as keyof typeof COMPARISONS];
    // jsonb compares numbers numerically; the type check keeps strings and lists out (no cast can fail).
    if (bound !== undefined) {
      parts.push(
        `(jsonb_typeof(metadata -> ${field}) = 'number' AND metadata -> ${field} ${sql} ${param(JSON.stringify(bound), 'jsonb')})`,
      );
    }
  }
  return `(${parts.join(' AND ')})`;
}

/**
 * True when the field equals one of `candidates`, or is a list holding one. Containment (`@>`) never
 * yields NULL, so `NOT` of it is exactly "none": a missing field matches `$ne`/`$nin`.
 */
function anyOf(field: string, candidates: MetadataScalar[], param: Param): string {
  const list = param(JSON.stringify(candidates), 'jsonb');
  return (
    `EXISTS (SELECT 1 FROM jsonb_array_elements(${list}) AS c(v) WHERE ` +
    `metadata @> jsonb_build_object(${field}, c.v) OR metadata @> jsonb_build_object(${field}, jsonb_build_array(c.v)))`
  );
}
