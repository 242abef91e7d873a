import { createServer } from 'node:net';

/** A port Arbiter wanted to listen on is taken; the message says by what and how to move. */
export class PortBusyError extends Error {
  constructor(
    readonly port: number,
    readonly purpose: string,
    readonly envVar: string,
  ) {
    super(
      `port ${port} (${purpose}) is already in use. Stop whatever holds it (is another 'arbiter dev' running?), ` +
        `or choose another port with ${envVar}=<port>.`,
    );
    this.name = 'PortBusyError';
  }
}

/** Resolves when nothing listens on host:port, by binding it for a moment. */
export function assertPortFree(port: number, purpose: string, envVar: string, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortBusyError(port, purpose, envVar) : err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Ports `freePort` has handed out in this process: never twice, even once they are free again. */
const handedOut = new Set<number>();

/**
 * A port free right now, for tests and benches, below the kernel's ephemeral range (32768+).
 * Not port 0's pick: the kernel hands out the same range to every bind(0) and outgoing connection,
 * so a port picked here and bound a moment later by a server we start can be taken in between —
 * by that server itself (the Temporal dev server binds its HTTP, metrics and internal ports to port
 * 0 while it starts, before its UI binds the port we chose). CI lost a suite to that EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port)) continue;
    if (await isFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found between 20000 and 32000 in 200 tries');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
