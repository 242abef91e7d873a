import { Pinecone, type Index, type PineconeRecord } from '@pinecone-database/pinecone';
import { z } from 'zod';
import { PineconeHttpError, rejectedInput, toPineconeFailure, VectorWireError } from './errors';
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

export interface PineconeVectorStoreOptions {
  apiKey: string;
  /** A dense index with the `cosine` metric and the embedder's dimension. */
  indexName: string;
  /**
   * The index's data-plane host (`https://<index>-<project>.svc.<region>.pinecone.io`, from the console).
   * With it no control-plane call is ever made. @default resolved through the control plane at first use
   */
  indexHostUrl?: string;
  /** @default 'https://api.pinecone.io' (the SDK's) */
  controllerHostUrl?: string;
  /** Deadline of each HTTP request, ms. @default 10000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Pinecone's recommended upsert batch (a request may carry at most 1000 vectors or 2 MB). */
const UPSERT_BATCH = 100;
const MAX_TOP_K = 10_000;

const WireMatchSchema = z.object({ id: z.string(), score: z.number(), metadata: VectorMetadataSchema.optional() });
/** What each data-plane answer must look like before the SDK sees it (its own mapping never checks). */
const WIRE_SCHEMAS: [path: string, schema: z.ZodType][] = [
  ['/query', z.object({ matches: z.array(WireMatchSchema).optional() })],
  ['/vectors/upsert', z.object({ upsertedCount: z.number().optional() })],
  ['/vectors/update', z.object({})],
  [
    '/describe_index_stats',
    z.object({
      namespaces: z.record(z.string(), z.object({ vectorCount: z.number().optional() })).optional(),
      dimension: z.number().optional(),
    }),
  ],
];

/**
 * Similar past decisions in a Pinecone index, one namespace per pipeline, through the official SDK
 * (9.x). Its requests go through a fetch of ours that enforces a deadline, turns error statuses into
 * `PineconeHttpError` (the SDK would drop `retry-after`, map 429 to a generic error and retry 5xx on
 * its own) and checks each 2xx body; Temporal's retry policy owns retries.
 */
export class PineconeVectorStore implements VectorStore {
  readonly kind = 'pinecone' as const;
  private readonly index: Index;
  private readonly name: string;

  constructor(options: PineconeVectorStoreOptions) {
    const client = new Pinecone({
      apiKey: options.apiKey,
      ...(options.controllerHostUrl ? { controllerHostUrl: options.controllerHostUrl } : {}),
      fetchApi: guardedFetch(options.timeoutMs ?? 10_000, options.fetch ?? fetch),
      // Its own retries (3 by default, around our fetch) would hide the status and multiply Temporal's.
      maxRetries: 0,
    });
    this.index = client.index({
      name: options.indexName,
      ...(options.indexHostUrl ? { host: options.indexHostUrl } : {}),
    });
    this.name = options.indexName;
  }

  async upsert(namespace: string, items: VectorItem[]): Promise<void> {
    const ns = parse(NamespaceSchema, namespace, 'namespace');
    const valid = parse(z.array(VectorItemSchema), items, `upsert into ${ns}`);
    // The last item with an id wins, as in the pgvector store (Pinecone leaves duplicates in one batch undefined).
    const unique = [...new Map(valid.map((i) => [i.id, i])).values()];
    const records: PineconeRecord[] = unique.map((i) => ({
      id: i.id,
      values: i.vector,
      ...(Object.keys(i.metadata).length > 0 ? { metadata: i.metadata } : {}),
    }));
    for (let start = 0; start < records.length; start += UPSERT_BATCH) {
      const batch = records.slice(start, start + UPSERT_BATCH);
      await this.call(`upserting ${batch.length} vectors into ${ns}`, () =>
        this.index.namespace(ns).upsert({ records: batch }),
      );
    }
  }

  /** With `excludeId`, asks for one more and drops it: Pinecone cannot filter on ids. */
  async query(namespace: string, vector: number[], options: QueryOptions): Promise<VectorMatch[]> {
    const ns = parse(NamespaceSchema, namespace, 'namespace');
    const opts = parse(QueryOptionsSchema, options, `query of ${ns}`);
    const values = parse(EmbeddingSchema, vector, `query of ${ns}`);
    const topK = opts.excludeId ? Math.min(opts.topK + 1, MAX_TOP_K) : opts.topK;
    const res = await this.call(`querying ${ns}`, () =>
      this.index.namespace(ns).query({
        vector: values,
        topK,
        ...(opts.filter ? { filter: opts.filter } : {}),
        includeMetadata: true,
        includeValues: false,
      }),
    );
    return res.matches
      .filter((m) => m.id !== opts.excludeId)
      .slice(0, opts.topK)
      .map((m) => VectorMatchSchema.parse({ id: m.id, score: m.score, metadata: m.metadata ?? {} }));
  }

  /** Pinecone's `setMetadata` merges: the fields given are set, the others kept. */
  async updateMetadata(namespace: string, id: string, metadata: VectorMetadata): Promise<void> {
    const ns = parse(NamespaceSchema, namespace, 'namespace');
    const fields = parse(VectorMetadataSchema, metadata, `metadata update of ${id} in ${ns}`);
    if (Object.keys(fields).length === 0) return;
    await this.call(`updating metadata of ${id} in ${ns}`, () =>
      this.index.namespace(ns).update({ id, metadata: fields }),
    );
  }

  async stats(): Promise<VectorStoreStats> {
    const res = await this.call('describing index stats', () => this.index.describeIndexStats());
    const namespaces = Object.fromEntries(
      Object.entries(res.namespaces ?? {}).map(([ns, s]) => [ns, { vectorCount: s.recordCount ?? 0 }]),
    );
    return { namespaces, ...(res.dimension === undefined ? {} : { dimension: res.dimension }) };
  }

  /** The SDK holds no connections of its own (it uses fetch). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toPineconeFailure(err, `pinecone index ${this.name}: ${what}`);
    }
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw rejectedInput(what, z.prettifyError(parsed.error), parsed.error);
  return parsed.data;
}

/** The SDK's fetch: a deadline per request, error statuses as `PineconeHttpError`, 2xx bodies checked. */
function guardedFetch(timeoutMs: number, base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const endpoint = `${init?.method ?? 'GET'} ${url.pathname}`;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const res = await base(input, { ...init, signal });
    const text = await res.text();
    if (!res.ok) throw new PineconeHttpError(res.status, text, res.headers.get('retry-after'), endpoint);
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch (err) {
      throw new VectorWireError(`${endpoint} answered a body that is not JSON: ${text.slice(0, 80)}`, { cause: err });
    }
    const schema = WIRE_SCHEMAS.find(([path]) => url.pathname.endsWith(path))?.[1];
    const checked = schema?.safeParse(body);
    if (checked && !checked.success) {
      throw new VectorWireError(`${endpoint}: ${z.prettifyError(checked.error)}`, { cause: checked.error });
    }
    const headers = new Headers(res.headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(text, { status: res.status, statusText: res.statusText, headers });
  };
}
