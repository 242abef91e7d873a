import type { PGlite } from '@electric-sql/pglite';

// Frontend message types of the extended query protocol that leave a batch open until Sync.
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const PARSE = 'P'.charCodeAt(0);
const CLOSE = 'C'.charCodeAt(0);
const STATEMENT = 'S'.charCodeAt(0);
const PARSE_COMPLETE = 0x31; // '1'
/** The backend's ParseComplete message: type '1', length 4. */
const PARSE_COMPLETE_MESSAGE = new Uint8Array([PARSE_COMPLETE, 0, 0, 0, 4]);

type Exec = PGlite['execProtocolRawStream'];
type ExecOptions = NonNullable<Parameters<Exec>[1]>;

/**
 * PGlite's one session, seen by many wire connections (pglite-socket) as if each had its own.
 *
 * Extended-query batches stay together: pglite-socket queues each protocol message of every
 * connection on the one session, and keeps a connection's messages together only inside a
 * transaction (electric-sql/pglite#1046). A Parse/Bind/Execute batch from one connection could then
 * interleave with another's ("unnamed prepared statement does not exist", and a stalled queue), as
 * soon as two `pg` clients work at once. This view reports "in a transaction" from a batch's first
 * message until its Sync, so the server's own pinning keeps the batch together.
 *
 * Named statements are shared: `pg` prepares a named statement once per connection (stores/
 * prepared.ts names the hot ones), and on PostgreSQL each connection is a session of its own. Here
 * every connection shares PGlite's session, so the second connection to prepare a name failed with
 * "prepared statement already exists". A Parse that opens a batch with a name this session already
 * prepared from byte-identical text and parameter types is answered ParseComplete here, as
 * PostgreSQL would answer it on a connection of its own; a Parse of the same name with other text
 * goes through (and fails there, as it would on one connection). A Close of a statement, or a
 * DEALLOCATE or DISCARD ALL sent as SQL, forgets the names it drops.
 *
 * Notifications on one channel (`listen`) are the view's: taken out of the output they arrive in
 * and handed to `heard` (the embedded stack's registry watch, stores/embedded-pg.ts).
 *
 * Files are synced once a batch, at its Sync, instead of after each of its messages.
 */
export function oneSessionView(db: PGlite, { listen }: SessionViewOptions = {}): PGlite {
  let openBatch = false;
  const prepared = new Map<string, Buffer>();

  const exec = async (message: Uint8Array, given?: ExecOptions): Promise<void> => {
    const type = message[0];
    const opensBatch = !openBatch;
    if (type === SYNC) openBatch = false;
    else if (type !== undefined && EXTENDED.has(type)) openBatch = true;
    if (type === QUERY || type === PARSE) {
      const sql = sqlOf(message, type);
      if (listen && /unlisten|discard/i.test(sql)) listen.lost();
      forgetDeallocated(sql, prepared);
    }
    // As the server calls it (it always passes options; PGlite's overloads make them optional).
    if (!given) return db.execProtocolRawStream(message, given as unknown as ExecOptions);
    // PGlite syncs its files after every message unless told not to: a no-op on Node's file
    // systems, but each under its own lock. Inside an extended batch, sync once, at its Sync.
    const synced = openBatch ? { ...given, syncToFs: false } : given;
    const hearing = listen ? new Hearing(listen, given.onRawData) : undefined;
    try {
      return await run(message, opensBatch, hearing ? { ...synced, onRawData: hearing.onRawData } : synced);
    } finally {
      hearing?.end();
    }
  };

  const run = async (message: Uint8Array, opensBatch: boolean, options: ExecOptions): Promise<void> => {
    const type = message[0];
    if (type === PARSE) {
      const name = nameAt(message, 5);
      if (name !== '') {
        const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
        // Only as a batch's first message: after an error PostgreSQL ignores the rest until Sync.
        if (opensBatch && prepared.get(name)?.equals(bytes)) return options.onRawData(PARSE_COMPLETE_MESSAGE);
        let parsed = false;
        const onRawData = (data: Uint8Array) => {
          if (data[0] === PARSE_COMPLETE) parsed = true;
          options.onRawData(data);
        };
        await db.execProtocolRawStream(message, { ...options, onRawData });
        if (parsed) prepared.set(name, Buffer.from(bytes));
        return;
      }
    }
    if (type === CLOSE && message[5] === STATEMENT) prepared.delete(nameAt(message, 6));
    return db.execProtocolRawStream(message, options);
  };

  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'isInTransaction') return () => openBatch || target.isInTransaction();
      if (prop === 'execProtocolRawStream') return exec;
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

/** What the view listens for on the session (`LISTEN` it first). */
export interface SessionViewOptions {
  /** Notifications on `channel` are taken out of every connection's output and `heard` instead. */
  listen?: {
    channel: string;
    heard: () => void;
    /** A client sent UNLISTEN or DISCARD: the session may no longer listen, so nothing heard is proof. */
    lost: () => void;
  };
}

const QUERY = 'Q'.charCodeAt(0);

/** The SQL of a Query or Parse message. */
function sqlOf(message: Uint8Array, type: number): string {
  const start = type === QUERY ? 5 : message.indexOf(0, 5) + 1;
  const end = message.indexOf(0, start);
  return textOf(message, start, end < 0 ? message.length : end);
}

/** Forgets the names a DEALLOCATE or DISCARD ALL in `sql` may drop (every name, unless it names one). */
function forgetDeallocated(sql: string, prepared: Map<string, Buffer>): void {
  if (!/deallocate|discard/i.test(sql)) return;
  const one = /^\s*deallocate\s+(?:prepare\s+)?(?:"([^"]+)"|([a-z_][\w$]*))\s*;?\s*$/i.exec(sql);
  if (one && one[2]?.toLowerCase() !== 'all') prepared.delete(one[1] ?? one[2]?.toLowerCase() ?? '');
  else prepared.clear();
}

const NOTIFICATION = 'A'.charCodeAt(0);

/**
 * One message's output, passed on without its NotificationResponses on `listen.channel`, each
 * `heard` first. One session listens for all connections, so PGlite puts a notification into the
 * output of whichever connection's message it follows (the committing one's): it is the view's,
 * not that client's. Output comes in chunks that may end inside a message (PostgreSQL flushes a
 * full send buffer): a chunk's unfinished last message waits for the next chunk, or for `end`.
 */
class Hearing {
  private rest: Buffer | undefined;

  constructor(
    private readonly listen: NonNullable<SessionViewOptions['listen']>,
    private readonly pass: (data: Uint8Array) => void,
  ) {}

  readonly onRawData = (chunk: Uint8Array): void => {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const kept: Uint8Array[] = [];
    let from = 0;
    let at = 0;
    while (at + 5 <= data.length) {
      const end = at + 1 + view.getUint32(at + 1);
      if (end > data.length) break;
      if (data[at] === NOTIFICATION && this.isOurs(data, at, end)) {
        this.listen.heard();
        kept.push(data.subarray(from, at));
        from = end;
      }
      at = end;
    }
    // PGlite reuses its output buffer: what waits for the next chunk is copied.
    if (at < data.length) this.rest = Buffer.from(data.subarray(at));
    kept.push(data.subarray(from, at));
    const out = kept.length === 1 ? kept[0] : Buffer.concat(kept);
    if (out && out.length > 0) this.pass(out);
  };

  /** The message's output is over: anything still waiting goes as it is. */
  end(): void {
    if (this.rest) this.pass(this.rest);
    this.rest = undefined;
  }

  /** A NotificationResponse: type, length, the sender's pid, then the channel (NUL-ended). */
  private isOurs(data: Uint8Array, at: number, end: number): boolean {
    const channelEnd = data.indexOf(0, at + 9);
    return channelEnd > 0 && channelEnd < end && textOf(data, at + 9, channelEnd) === this.listen.channel;
  }
}

function textOf(data: Uint8Array, start: number, end: number): string {
  return Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('utf8');
}

/** The NUL-terminated string of a protocol message starting at `offset` (after type and length). */
function nameAt(message: Uint8Array, offset: number): string {
  const end = message.indexOf(0, offset);
  return Buffer.from(message.buffer, message.byteOffset + offset, Math.max(end, offset) - offset).toString('utf8');
}
