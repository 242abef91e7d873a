import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { problem, problemResponse } from './problems';

type Fetch = (request: Request) => Response | Promise<Response>;

/** The API listening on a port. */
export interface ApiServer {
  /** `http://<host>:<port>` */
  url: string;
  port: number;
  /** Starts answering with `fetch` (the app, once what it runs on is up). */
  use: (fetch: Fetch) => void;
  /** Stops taking connections, lets requests in flight finish (up to `graceMs`), then closes the rest. */
  close: (graceMs?: number) => Promise<void>;
}

export interface ApiServerOptions {
  /** @default a 503 `starting` problem for every request, until `use()` */
  fetch?: Fetch;
  /** 0 picks a free port. @default 8080 */
  port?: number;
  /** @default '127.0.0.1' (loopback only; '0.0.0.0' for every interface) */
  host?: string;
}

/** While the app's backing services start: the port is taken at once, so nothing else can take it meanwhile. */
const starting: Fetch = () =>
  problemResponse(problem(503, 'starting', 'Starting', 'Arbiter is starting; try again shortly'), {
    'retry-after': '1',
  });

/** Serves `fetch` with @hono/node-server until `close()`. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  let current = options.fetch ?? starting;
  const server = createAdaptorServer({ fetch: (request: Request) => current(request) }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    use: (fetch) => void (current = fetch),
    close: (graceMs = 10_000) => closeGracefully(server, graceMs),
  };
}

function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive sockets with no request would hold close() open until they time out.
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
