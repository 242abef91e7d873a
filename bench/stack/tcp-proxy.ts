import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between the workers and the database, so that a database outage can be
 * made without touching the database: `close()` refuses new connections and destroys the open ones
 * (as a crashed or partitioned server would), `open()` serves again on the same port.
 */
export interface TcpProxy {
  port: number;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Connections accepted since start (to see that the workers reconnected). */
  accepted(): number;
}

export async function startTcpProxy(port: number, target: { host: string; port: number }): Promise<TcpProxy> {
  let server: Server | undefined;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const serve = (client: Socket) => {
    accepted++;
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  };
  const proxy: TcpProxy = {
    port,
    async open() {
      if (server) return;
      const s = createServer(serve);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ port, host: '127.0.0.1' }, () => resolve());
      });
      server = s;
    },
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const sock of sockets) sock.destroy();
      await closed;
    },
    accepted: () => accepted,
  };
  await proxy.open();
  return proxy;
}
