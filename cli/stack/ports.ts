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
 * Not port 0's pick: that comes from the ephemeral range, where any outgoing connection (a client
 * of PostgreSQL, Kafka, Chromium…) may take it between this check and the server's own bind — CI
 * lost a suite's dev server to exactly that (`EADDRINUSE` on a port from here).
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
