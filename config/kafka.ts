import { readFile } from 'node:fs/promises';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import type { ArbiterEnv } from './env';

/**
 * The security half of every Kafka client's options (consumer, producer, admin): spread it into
 * their constructors. Absent keys mean PLAINTEXT.
 */
export interface KafkaConnection {
  tls?: TlsOptions;
  sasl?: SASLOptions;
}

/** A KAFKA_* file that could not be read; names the variable and the path, never the content. */
export class KafkaConfigError extends Error {
  /** @param why e.g. 'is empty' */
  constructor(variable: string, path: string, why: string, options?: ErrorOptions) {
    super(`${variable}: '${path}' ${why}`, options);
    this.name = 'KafkaConfigError';
  }
}

/**
 * The TLS and SASL options KAFKA_SECURITY_PROTOCOL and friends ask for (loadEnv has checked they
 * fit together), with the CA, certificate and key files read now, so that a missing file fails at
 * start. The password is handed over as a function rather than a string: options a client or a
 * diagnostic prints then show no secret. KAFKA_SASL_PASSWORD_FILE is read at each authentication,
 * so a rotated secret is picked up by the next connection.
 * @throws KafkaConfigError when a file cannot be read or the password file is empty
 */
export async function kafkaConnectionOf(env: ArbiterEnv): Promise<KafkaConnection> {
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const connection: KafkaConnection = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') connection.tls = await tlsOptions(env);
  if ((protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') && env.KAFKA_SASL_MECHANISM) {
    const fromFile = env.KAFKA_SASL_PASSWORD_FILE;
    const literal = env.KAFKA_SASL_PASSWORD ?? '';
    if (fromFile !== undefined) await passwordFromFile(fromFile);
    connection.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      ...(env.KAFKA_SASL_USERNAME === undefined ? {} : { username: env.KAFKA_SASL_USERNAME }),
      password: fromFile === undefined ? () => literal : () => passwordFromFile(fromFile),
    };
  }
  return connection;
}

async function tlsOptions(env: ArbiterEnv): Promise<TlsOptions> {
  const [ca, cert, key] = await Promise.all([
    pem('KAFKA_SSL_CA_FILE', env.KAFKA_SSL_CA_FILE),
    pem('KAFKA_SSL_CERT_FILE', env.KAFKA_SSL_CERT_FILE),
    pem('KAFKA_SSL_KEY_FILE', env.KAFKA_SSL_KEY_FILE),
  ]);
  return {
    rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}

async function pem(variable: string, path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new KafkaConfigError(variable, path, unreadable(err), { cause: err });
  }
}

async function passwordFromFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KafkaConfigError('KAFKA_SASL_PASSWORD_FILE', path, unreadable(err), { cause: err });
  }
  // Secrets written by `echo` or mounted by Kubernetes often end in one newline that is no part of it.
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new KafkaConfigError('KAFKA_SASL_PASSWORD_FILE', path, 'is empty');
  return password;
}

function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'does not exist' : `cannot be read${code ? ` (${code})` : ''}`;
}
