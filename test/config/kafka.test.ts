import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../config/env';
import { KafkaConfigError, kafkaConnectionOf } from '../../config/kafka';

const PASSWORD = 'hunter2-not-in-any-message';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arbiter-kafka-config-'));
  await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n...\n');
  await writeFile(join(dir, 'password'), `${PASSWORD}\n`);
  await writeFile(join(dir, 'empty'), '\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sasl = { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'u' };

describe('KAFKA_* settings', () => {
  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' }, 'needs KAFKA_SASL_MECHANISM and KAFKA_SASL_USERNAME'],
    [{ ...sasl, KAFKA_SASL_USERNAME: '' }, 'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_USERNAME'],
    [sasl, 'needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE'],
    [{ ...sasl, KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SASL_PASSWORD_FILE: '/p' }, 'not both'],
    [{ KAFKA_SASL_MECHANISM: 'PLAIN' }, 'KAFKA_SASL_MECHANISM set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT sends no'],
    [{ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD }, 'use SASL_PLAINTEXT or SASL_SSL'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', ...{ KAFKA_SSL_CA_FILE: '/ca' } }, 'does not use TLS'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: '/c' }, 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go'],
    [{ ...sasl, KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_PASSWORD: PASSWORD }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SECURITY_PROTOCOL: 'TLS' }, 'KAFKA_SECURITY_PROTOCOL'],
  ])('refuses %o: %s', (vars, message) => {
    expect(() => loadEnv(vars)).toThrow(message);
    try {
      loadEnv(vars);
    } catch (err) {
      expect((err as Error).message).not.toContain(PASSWORD);
    }
  });

  it('defaults to PLAINTEXT, and takes the protocol and mechanism in any case as librdkafka does', async () => {
    expect(await kafkaConnectionOf(loadEnv({}))).toEqual({});
    const env = loadEnv({
      ...sasl,
      KAFKA_SECURITY_PROTOCOL: 'sasl_plaintext',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });
    expect([env.KAFKA_SECURITY_PROTOCOL, env.KAFKA_SASL_MECHANISM]).toEqual(['SASL_PLAINTEXT', 'SCRAM-SHA-512']);
  });

  it('reads the CA file, and hands the password over as a function (trailing newline of a file dropped)', async () => {
    const env = loadEnv({
      ...sasl,
      KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
      KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
    });
    const connection = await kafkaConnectionOf(env);
    expect(connection.tls).toEqual({ rejectUnauthorized: true, ca: '-----BEGIN CERTIFICATE-----\n...\n' });
    expect(connection.sasl).toMatchObject({ mechanism: 'SCRAM-SHA-256', username: 'u' });
    const password = connection.sasl?.password;
    expect(typeof password).toBe('function');
    expect(typeof password === 'function' ? await password() : password).toBe(PASSWORD);
    expect(JSON.stringify(connection)).not.toContain(PASSWORD);
  });

  it.each([
    [
      { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/no/such/ca.pem' },
      "KAFKA_SSL_CA_FILE: '/no/such/ca.pem' does not exist",
    ],
    [
      { ...sasl, KAFKA_SASL_PASSWORD_FILE: '/no/such/secret' },
      "KAFKA_SASL_PASSWORD_FILE: '/no/such/secret' does not exist",
    ],
    [{ ...sasl, KAFKA_SASL_PASSWORD_FILE: 'EMPTY' }, 'is empty'],
  ])('a missing or empty file fails at start, naming the variable: %o', async (vars, message) => {
    const withDir = Object.fromEntries(
      Object.entries(vars).map(([k, v]) => [k, v === 'EMPTY' ? join(dir, 'empty') : v]),
    );
    const err = await kafkaConnectionOf(loadEnv(withDir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaConfigError);
    expect((err as Error).message).toContain(message);
  });
});
