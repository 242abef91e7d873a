import { InvalidArgumentError, type Command } from 'commander';
import type { Logger } from 'pino';
import type { ApiServer } from '../api/server';
import type { ApiKey } from '../config/api-keys';
import type { ArbiterEnv } from '../config/env';
import type { ApiBackend } from './api-backend';
import { PortBusyError } from './stack/ports';

const say = (msg: string) => process.stderr.write(`${msg}\n`);

/** `arbiter api` was asked to serve with authentication but no keys to check against. */
export class ApiKeysMissingError extends Error {
  constructor() {
    super(
      'ARBITER_API_KEYS is empty: set it to name:role[+role]:secret keys, comma-separated (or ARBITER_API_KEYS_FILE ' +
        "to a YAML or JSON list of { name, roles, secret }), or run 'arbiter api --no-auth' to serve without " +
        'authentication (local use only)',
    );
    this.name = 'ApiKeysMissingError';
  }
}

export interface ApiCliOptions {
  /** @default PORT, else 8080 */
  port?: number;
  /** Loopback unless asked: an API reachable from the network is a choice, not a default. @default '127.0.0.1' */
  host: string;
  /** False with `--no-auth`. @default true */
  auth: boolean;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port (1-65535)');
  return n;
}

/** Where the console links workflows to: the configured UI, else the embedded stack's. */
export function temporalUiOf(env: ArbiterEnv): string | undefined {
  if (env.ARBITER_TEMPORAL_UI_URL) return env.ARBITER_TEMPORAL_UI_URL.replace(/\/+$/, '');
  return env.TEMPORAL_ADDRESS ? undefined : `http://localhost:${env.ARBITER_UI_PORT}`;
}

/** Builds the app on the backend and answers with it until Ctrl-C; the server closes before the backend does. */
async function serve(
  env: ArbiterEnv,
  apiKeys: readonly ApiKey[] | null,
  server: ApiServer,
  backend: ApiBackend,
  log: Logger,
): Promise<void> {
  const [{ createApp }, { storesFromPool }, { untilInterrupted }, { vectorStoreFromEnv }, { createApiMetrics }] =
    await Promise.all([
      import('../api/app'),
      import('../api/deps'),
      import('./runtime'),
      import('../workers/vector-store'),
      import('../api/metrics'),
    ]);
  const vectors = vectorStoreFromEnv(env, backend.pool);
  const stores = storesFromPool(backend.pool, env.ARBITER_MODELS_DIR, vectors);
  try {
    const limits = { bodyLimit: env.ARBITER_API_BODY_LIMIT, decideWaitMs: env.ARBITER_API_DECIDE_WAIT };
    const metrics = createApiMetrics(backend.metrics);
    const codecCorsOrigins = env.ARBITER_CODEC_CORS_ORIGINS;
    const temporalUi = temporalUiOf(env);
    server.use(
      createApp({ ...backend, ...stores, apiKeys, ...limits, metrics, codecCorsOrigins, temporalUi, log }).fetch,
    );
    say(`Arbiter API at ${server.url}  (console: ${server.url}/; OpenAPI: ${server.url}/openapi.json; Ctrl-C to stop)`);
    await untilInterrupted();
    say(`stopping: requests under way get ${env.ARBITER_SHUTDOWN_GRACE} ms (a second Ctrl-C quits at once)...`);
    await server.close(env.ARBITER_SHUTDOWN_GRACE);
  } finally {
    await stores.close();
    await vectors?.close();
  }
}

/** Listens first, so the port is ours while the stack starts (until then every request gets a 503). */
async function listen(port: number, host: string): Promise<ApiServer> {
  const { startApiServer } = await import('../api/server');
  try {
    return await startApiServer({ port, host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new PortBusyError(port, 'HTTP API', 'PORT or --port');
    throw err;
  }
}

/** `arbiter api`: the HTTP API on a running Arbiter, or on the embedded stack, until Ctrl-C. */
export async function runApi(env: ArbiterEnv, opts: ApiCliOptions): Promise<void> {
  const { loadApiKeys } = await import('../config/api-keys-source');
  // Checked before anything starts: a bad key list is a configuration error, not a runtime one.
  const loaded = opts.auth ? await loadApiKeys(env) : undefined;
  if (loaded?.keys.length === 0) throw new ApiKeysMissingError();
  const [{ createLogger }, { startTracing }, { withApiBackend }] = await Promise.all([
    import('../telemetry/log'),
    import('../telemetry/tracing'),
    import('./api-backend'),
  ]);
  const log = createLogger({ name: 'arbiter-api', level: env.LOG_LEVEL, destination: process.stderr });
  // The SDK runtime (LOG_LEVEL, metrics exporter) is installed by withApiBackend's startCliMetrics.
  const tracing = await startTracing({ serviceName: 'arbiter-api' });
  if (!opts.auth) log.warn('AUTHENTICATION IS OFF (--no-auth): anyone who reaches this port can call every endpoint');
  if (loaded?.deprecation) log.warn(loaded.deprecation);
  const server = await listen(opts.port ?? env.PORT, opts.host);
  try {
    await withApiBackend(env, say, (backend) => serve(env, loaded?.keys ?? null, server, backend, log));
  } finally {
    await server.close(); // a no-op after a clean stop; after a failed start, frees the port
    await tracing?.shutdown();
  }
}

/** Adds `arbiter api [--port] [--host] [--no-auth]`. */
export function addApiCommand(program: Command): void {
  program
    .command('api')
    .description('serve the HTTP API (OpenAPI at /openapi.json) on a running Arbiter or the embedded stack')
    .option('--port <port>', 'port to listen on (default: PORT, else 8080)', portNumber)
    .option('--host <host>', 'interface to listen on (0.0.0.0: every interface, as a container needs)', '127.0.0.1')
    .option('--no-auth', 'serve without API keys (ARBITER_API_KEYS), for local use only')
    .action(async (opts: ApiCliOptions) => {
      const { loadEnv } = await import('../config/env');
      await runApi(loadEnv(), opts);
    });
}
