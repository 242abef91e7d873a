import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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

// Frontend message types of the extended query protocol that leave a batch open until Sync.
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);

/**
 * pglite-socket queues each protocol message of every connection on PGlite's one session, and
 * keeps a connection's messages together only inside a transaction (electric-sql/pglite#1046). A
 * Parse/Bind/Execute batch from one connection could then interleave with another's ("unnamed
 * prepared statement does not exist", and a stalled queue), as soon as two `pg` clients work at
 * once. This view of the database reports "in a transaction" from a batch's first message until
 * its Sync, so the server's own pinning keeps the batch together.
 */
function keepExtendedQueriesTogether(db: PGlite): PGlite {
  let openBatch = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'isInTransaction') return () => openBatch || target.isInTransaction();
      if (prop === 'execProtocolRawStream') {
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const type = message[0];
          if (type === SYNC) openBatch = false;
          else if (type !== undefined && EXTENDED.has(type)) openBatch = true;
          return target.execProtocolRawStream(message, options);
        };
      }
      // The server rolls back a vanished connection's open transaction this way: its batch ends too.
      if (prop === 'exec') {
        return (query: string, options?: Parameters<PGlite['exec']>[1]) => {
          openBatch = false;
          return target.exec(query, options);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
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
    db: keepExtendedQueriesTogether(db),
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
