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

/** A port the OS says is free right now (tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
