import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { oneSessionView } from './pglite-session';

/** A running embedded PostgreSQL (PGlite + pgvector) that speaks the wire protocol on localhost. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

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
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5433;
  const server = new PGLiteSocketServer({
    db: oneSessionView(db),
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
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
