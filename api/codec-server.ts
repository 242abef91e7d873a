import { OpenAPIHono } from '@hono/zod-openapi';
import type { PayloadCodec } from '@temporalio/common';
import { validationHook } from './app';
import { toProblem } from './error-problems';
import { problem, problemResponse } from './problems';
import { CODEC_PREFIX, codecCors, codecRoutes } from './routes/codec';
import { startApiServer } from './server';

/** The embedded stack's own codec endpoint, for its own Temporal UI. */
export interface CodecServer {
  /** What `--ui-codec-endpoint` is given: `http://127.0.0.1:<port>/codec`. */
  endpoint: string;
  close(): Promise<void>;
}

export interface CodecServerOptions {
  /** 0 picks a free one. */
  port: number;
  codecs: readonly PayloadCodec[];
  /** The Temporal UI's origins, allowed by CORS. */
  uiOrigins: readonly string[];
  /** Interface to listen on: a container's port mapping needs 0.0.0.0. @default '127.0.0.1' */
  host?: string;
  /** `Host` headers answered besides `127.0.0.1:<port>` and `localhost:<port>` (a mapped port's name). @default none */
  extraHosts?: readonly string[];
}

/**
 * Serves `/codec/encode` and `/codec/decode` on 127.0.0.1 WITHOUT an API key, for the embedded UI.
 *
 * Why no key: the UI runs in a browser and can send a token only from its own OIDC login, which the
 * embedded dev server does not have, so no key could be given to it. What this opens is what the
 * embedded stack already opens on the same loopback interface: its UI, its Temporal frontend and its
 * PostgreSQL port (which holds the case inputs) all answer any local process without credentials.
 * Encryption here protects what leaves the machine: Temporal's SQLite file, its backups, exported
 * histories. Browsers are kept out by CORS (only the UI's origins may read answers) and by the
 * Host check (a page that rebinds its DNS name to 127.0.0.1 still sends its own Host).
 * A deployed stack uses `arbiter api`'s `/codec`, behind the API's keys; `arbiter codec-server`
 * serves this one on its own for a Temporal UI run beside it on one host (docker-compose.yml).
 */
export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  // Known once listening (the port may be picked then).
  let hosts = new Set<string>();
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.use('*', async (c, next) => {
    if (hosts.has(c.req.header('host') ?? '')) return next();
    return problemResponse(problem(403, 'forbidden-host', 'Forbidden', 'the codec endpoint answers 127.0.0.1 only'));
  });
  app.use(`${CODEC_PREFIX}/*`, codecCors(opts.uiOrigins));
  codecRoutes(app, () => opts.codecs);
  app.onError((err) => {
    const known = toProblem(err);
    return problemResponse(known ?? problem(500, 'internal', 'Internal server error', 'the codec failed'));
  });
  const server = await startApiServer({ port: opts.port, host: opts.host ?? '127.0.0.1', fetch: app.fetch });
  hosts = new Set([`127.0.0.1:${server.port}`, `localhost:${server.port}`, ...(opts.extraHosts ?? [])]);
  return { endpoint: `http://127.0.0.1:${server.port}${CODEC_PREFIX}`, close: () => server.close(1000) };
}
