import type { Pool } from 'pg';
import { z } from 'zod';
import { isTransientPgError } from '../pg-errors';
import { prepared } from '../prepared';
import { pgvectorMissing, rejectedInput, toPgVectorFailure } from './errors';
import * as sql from './pgvector-sql';
import {
  EmbeddingSchema,
  NamespaceSchema,
  QueryOptionsSchema,
  VectorItemSchema,
  VectorMatchSchema,
  VectorMetadataSchema,
  type QueryOptions,
  type VectorItem,
  type VectorMatch,
  type VectorMetadata,
  type VectorStore,
  type VectorStoreStats,
} from './types';

export interface PgVectorStoreOptions {
  /**
   * The width every stored and queried vector must have: the embedder's output size (1–16000).
   * @default any width (1–16000); a query only ever compares rows of its own width
   */
  dimension?: number;
}

const CountRowSchema = z.object({ namespace: z.string(), vector_count: z.number().int() });

/**
 * Similar past decisions in PostgreSQL with pgvector (the default store), table `case_vectors`.
 * The injected pool is the caller's: `close()` leaves it open.
 */
export class PgVectorStore implements VectorStore {
  readonly kind = 'pgvector' as const;
  private readonly dimension: number | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly options: PgVectorStoreOptions,
  ) {
    this.dimension = z.number().int().min(1).max(16_000).optional().parse(options.dimension);
  }

  /**
   * Checks for pgvector (installing it when allowed) and the table, once. Every method awaits it; call
   * it at start to fail early. A transient failure is not remembered, so the next call tries again.
   */
  init(): Promise<void> {
    this.ready ??= this.prepare().catch((err: unknown) => {
      this.ready = undefined;
      throw toPgVectorFailure(err, 'preparing the pgvector store');
    });
    return this.ready;
  }

  async upsert(namespace: string, items: VectorItem[]): Promise<void> {
    const ns = this.parse(NamespaceSchema, namespace, 'namespace');
    const valid = this.parse(z.array(VectorItemSchema), items, `upsert into ${ns}`);
    valid.forEach((item) => this.checkDimension(item.vector, `upsert of ${item.id} into ${ns}`));
    if (valid.length === 0) return;
    // One statement cannot update a row twice: the last item with an id wins, as it would one by one.
    const rows = [...new Map(valid.map((i) => [i.id, i])).values()].map((i) => ({
      id: i.id,
      embedding: JSON.stringify(i.vector),
      metadata: i.metadata,
    }));
    await this.run(
      `upserting ${rows.length} vectors into ${ns}`,
      sql.UPSERT_VECTORS,
      [ns, JSON.stringify(rows)],
      z.unknown(),
    );
  }

  async query(namespace: string, vector: number[], options: QueryOptions): Promise<VectorMatch[]> {
    const ns = this.parse(NamespaceSchema, namespace, 'namespace');
    const opts = this.parse(QueryOptionsSchema, options, `query of ${ns}`);
    this.checkDimension(vector, `query of ${ns}`);
    const q = sql.nearestQuery(ns, vector, opts);
    return this.run(`querying ${ns}`, q.text, q.values, VectorMatchSchema);
  }

  async updateMetadata(namespace: string, id: string, metadata: VectorMetadata): Promise<void> {
    const ns = this.parse(NamespaceSchema, namespace, 'namespace');
    const fields = this.parse(VectorMetadataSchema, metadata, `metadata update of ${id} in ${ns}`);
    const values = [ns, id, JSON.stringify(fields)];
    await this.run(`updating metadata of ${id} in ${ns}`, sql.MERGE_METADATA, values, z.unknown());
  }

  async stats(): Promise<VectorStoreStats> {
    const rows = await this.run('counting vectors', sql.COUNT_BY_NAMESPACE, [], CountRowSchema);
    const namespaces = Object.fromEntries(rows.map((r) => [r.namespace, { vectorCount: r.vector_count }]));
    return { namespaces, ...(this.dimension === undefined ? {} : { dimension: this.dimension }) };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async prepare(): Promise<void> {
    const installed = await this.pool.query(sql.VECTOR_EXTENSION_VERSION);
    if (installed.rows.length === 0) {
      try {
        await this.pool.query(sql.CREATE_VECTOR_EXTENSION);
      } catch (err) {
        throw isTransientPgError(err) ? err : pgvectorMissing(err);
      }
    }
    const { rows } = await this.pool.query<{ exists: boolean }>(sql.CASE_VECTORS_EXISTS);
    if (!rows[0]?.exists) await this.pool.query(sql.CREATE_CASE_VECTORS);
  }

  /** One statement after `init()`, its rows checked by `schema` (zod at the boundary, STYLE rule 6). */
  private async run<T>(what: string, text: string, values: unknown[], schema: z.ZodType<T>): Promise<T[]> {
    await this.init();
    try {
      const { rows } = await this.pool.query(prepared(text, values));
      return rows.map((row) => schema.parse(row));
    } catch (err) {
      throw toPgVectorFailure(err, what);
    }
  }

  private parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw rejectedInput(what, z.prettifyError(parsed.error), parsed.error);
    return parsed.data;
  }

  private checkDimension(vector: number[], what: string): void {
    this.parse(EmbeddingSchema, vector, what);
    if (vector.length > 16_000) throw rejectedInput(what, `the vector has ${vector.length} dimensions, at most 16000`);
    if (this.dimension !== undefined && vector.length !== this.dimension) {
      throw rejectedInput(what, `the vector has ${vector.length} dimensions, this store holds ${this.dimension}`);
    }
  }
}
