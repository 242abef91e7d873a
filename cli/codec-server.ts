import { InvalidArgumentError, type Command } from 'commander';

const say = (msg: string) => process.stderr.write(`${msg}\n`);

/** `arbiter codec-server` needs keys to decode with and a UI allowed to call it. */
export class CodecServerConfigError extends Error {
  constructor(detail: string) {
    super(`arbiter codec-server: ${detail}`);
    this.name = 'CodecServerConfigError';
  }
}

interface CodecServerCliOptions {
  port: number;
  host: string;
  publicHost: string[];
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port (0-65535)');
  return n;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `arbiter codec-server`: the Temporal UI's codec endpoint on its own, without API keys, for a UI
 * run beside Arbiter on one host (the embedded stack starts its own; docker-compose.yml runs this
 * one). Anywhere the UI is reached over a network, use `arbiter api`'s `/codec` behind a proxy that
 * authenticates people instead (README "Encryption").
 */
export function addCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description(
      "serve the Temporal UI's codec endpoint (/codec/decode, /codec/encode) without keys, for a UI on this host",
    )
    .option('--port <port>', 'port to listen on (0: a free one)', portNumber, 8081)
    .option(
      '--host <host>',
      'interface to listen on (0.0.0.0 in a container, with the port mapped to loopback)',
      '127.0.0.1',
    )
    .option('--public-host <host:port>', 'a Host header to answer besides localhost:<port> (repeatable)', collect, [])
    .action(async (opts: CodecServerCliOptions) => {
      const [{ loadEnv }, { startCodecServer }, { EncryptionCodec }, { untilInterrupted }] = await Promise.all([
        import('../config/env'),
        import('../api/codec-server'),
        import('../codec/encryption-codec'),
        import('./runtime'),
      ]);
      const env = loadEnv();
      const keys = env.ARBITER_ENCRYPTION_KEYS;
      if (!keys)
        throw new CodecServerConfigError('ARBITER_ENCRYPTION_KEYS is not set: there is nothing to decode with');
      const uiOrigins = env.ARBITER_CODEC_CORS_ORIGINS;
      if (uiOrigins.length === 0) {
        throw new CodecServerConfigError(
          "ARBITER_CODEC_CORS_ORIGINS is empty: set it to the Temporal UI's origin (e.g. http://localhost:8080)",
        );
      }
      const server = await startCodecServer({
        port: opts.port,
        host: opts.host,
        extraHosts: opts.publicHost,
        codecs: [new EncryptionCodec(keys)],
        uiOrigins,
      });
      say(`codec endpoint: ${server.endpoint.replace('127.0.0.1', opts.host)} (for ${uiOrigins.join(', ')})`);
      await untilInterrupted();
      await server.close();
    });
}
