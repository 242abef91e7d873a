import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { oneSessionView } from './pglite-session';

/** A running embedded PostgreSQL (PGlite + pgvector) that speaks the wire protocol on localhost. */
export interface EmbeddedPostgres {
  url: string;
  /**
   * The registry's generation as this process sees it, without a query: it changes the moment any
   * connection commits a write to the registry (migration 13's NOTIFY, heard in the session before
   * the writer is answered), so only once the schema is migrated (the stack migrates before its
   * worker starts). `undefined` once a client sent UNLISTEN or DISCARD (the session may have
   * stopped listening): then read the registry_generation table (stores/registry-generation.ts).
   */
  registryGeneration: () => string | undefined;
  stop(): Promise<void>;
}

/** The channel migration 13's trigger notifies on each registry write. */
export const REGISTRY_CHANNEL = 'arbiter_registry';

export interface EmbeddedPostgresOptions {
  /** Directory for the database files; `undefined` keeps everything in memory (tests). */
  dataDir?: string;
  /** @default 5433 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Connections the socket server multiplexes onto PGlite's single session (it keeps an open
   * transaction's queries together). Past this, connections are refused: keep pools below it.
   * @default 32
   */
  maxConnections?: number;
}

/**
 * Starts PGlite with pgvector and serves it over TCP, so every line of Arbiter's DB code talks `pg`
 * to a DATABASE_URL whether the database is embedded or real.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://', { extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  await db.exec(`LISTEN ${REGISTRY_CHANNEL}`);
  // Registry writes heard so far; trusted until a client may have ended the session's LISTEN.
  let heard = 0;
  let watching = true;
  const listen = {
    channel: REGISTRY_CHANNEL,
    heard: () => void heard++,
    lost: () => void (watching = false),
  };
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5433;
  const server = new PGLiteSocketServer({
    db: oneSessionView(db, { listen }),
    host,
    port,
    maxConnections: options.maxConnections ?? 32,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    url: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
    registryGeneration: () => (watching ? `heard ${heard}` : undefined),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
