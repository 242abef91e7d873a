import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { loadEnv, PROJECT_ROOT } from '../config/env';
import { kafkaConnectionOf } from '../config/kafka';
import { ensureTopics, KafkaUnavailableError, OutcomeMessageSchema, startIngest, type IngestTopics } from '../ingest';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';
import { produce, readTopic, startTestKafka, type SecuredListeners, type TestKafka } from './helpers/kafka';

// One broker (PLAINTEXT, SASL_PLAINTEXT and SASL_SSL listeners), one dev server, one worker for the suite.
let orch: TestOrchestrator;
let kafka: TestKafka;
let secured: SecuredListeners;
let holdout: DemoCase[];
let secrets: string;
const run = randomBytes(3).toString('hex');
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  const [o, k, h] = await Promise.allSettled([
    startTestOrchestrator('ingest-security'),
    startTestKafka({ secured: true }),
    loadHoldout(),
  ]);
  if (o.status === 'fulfilled') orch = o.value;
  if (k.status === 'fulfilled') kafka = k.value;
  for (const r of [o, k, h]) if (r.status === 'rejected') throw r.reason;
  holdout = (h as PromiseFulfilledResult<DemoCase[]>).value;
  if (!kafka.secured) throw new Error('the broker was started without its SASL listeners');
  secured = kafka.secured;
  secrets = await mkdtemp(join(tmpdir(), 'arbiter-kafka-secrets-'));
});

afterAll(async () => {
  await kafka?.stop();
  await orch?.stop();
  if (secrets) await rm(secrets, { recursive: true, force: true });
});

/** The security settings from KAFKA_* variables, through loadEnv and kafkaConnectionOf as `arbiter ingest` does. */
async function connectionFor(brokers: string, vars: Record<string, string>) {
  const env = loadEnv({ KAFKA_BROKERS: brokers, KAFKA_SASL_USERNAME: secured.user.name, ...vars });
  return { brokers: env.KAFKA_BROKERS, security: await kafkaConnectionOf(env) };
}

const listeners = {
  SASL_PLAINTEXT: () => secured.saslBrokers,
  SASL_SSL: () => secured.saslSslBrokers,
};

describe('Kafka ingestion over SASL and TLS', () => {
  it.each([
    { protocol: 'SASL_PLAINTEXT', mechanism: 'PLAIN', password: 'literal' },
    { protocol: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-256', password: 'file' },
    { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', password: 'literal' },
  ] as const)('decides a request over $protocol with $mechanism (password: $password)', async (c) => {
    const name = `${c.protocol}-${c.mechanism}-${run}`.toLowerCase();
    const topics: IngestTopics = { requests: `${name}.req`, outcomes: `${name}.out`, deadLetter: `${name}.dlq` };
    const passwordFile = join(secrets, `${name}.password`);
    if (c.password === 'file') await writeFile(passwordFile, `${secured.user.password}\n`);
    const { brokers, security } = await connectionFor(listeners[c.protocol](), {
      KAFKA_SECURITY_PROTOCOL: c.protocol,
      KAFKA_SASL_MECHANISM: c.mechanism,
      ...(c.password === 'file'
        ? { KAFKA_SASL_PASSWORD_FILE: passwordFile }
        : { KAFKA_SASL_PASSWORD: secured.user.password }),
      ...(c.protocol === 'SASL_SSL' ? { KAFKA_SSL_CA_FILE: secured.caFile } : {}),
    });
    // The admin creates the topics through the secured listener, the consumer and producer use it too.
    expect(await ensureTopics(brokers, [topics.requests, topics.outcomes, topics.deadLetter], security)).toHaveLength(
      3,
    );
    const holdoutCase = holdout[0];
    if (!holdoutCase) throw new Error('the holdout is empty');
    const caseId = `${holdoutCase.caseId}-${name}`;
    const value = JSON.stringify({ caseId, input: holdoutCase.input, model: 'phishing-gb:champion' });
    await produce(kafka.brokers, topics.requests, [{ key: caseId, value }]);

    const ingest = await startIngest({ client: orch.client, brokers, security, topics, groupId: name, log });
    const outcomes = await readTopic(kafka.brokers, topics.outcomes, (read) => read.length >= 1, 30_000);
    expect(await ingest.stop()).toEqual({ consumed: 1, decided: 1, deadLettered: 0 });
    expect(outcomes.map((m) => OutcomeMessageSchema.parse(JSON.parse(m.value ?? '')).caseId)).toEqual([caseId]);
  });

  it.each(['PLAIN', 'SCRAM-SHA-256'] as const)(
    'a wrong password with %s fails at once, says so, and never shows the password',
    async (mechanism) => {
      const wrong = `wrong-${randomBytes(8).toString('hex')}`;
      const { brokers, security } = await connectionFor(secured.saslBrokers, {
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_PASSWORD: wrong,
      });
      const topics: IngestTopics = {
        requests: `never-${run}`,
        outcomes: `never-${run}.out`,
        deadLetter: `never-${run}.dlq`,
      };
      const failures = await Promise.all([
        ensureTopics(brokers, [topics.requests], security).catch((err: unknown) => err),
        startIngest({ client: orch.client, brokers, security, topics, groupId: `never-${run}`, log }).catch(
          (err: unknown) => err,
        ),
      ]);
      for (const err of failures) {
        expect(err).toBeInstanceOf(KafkaUnavailableError);
        expect((err as Error).message).toContain('SASL authentication failed');
        expect((err as Error).message).toContain('refused the credentials');
        // The whole error, causes, hidden properties and all, as a log line or a crash report would show it.
        const everything = inspect(err, { depth: Infinity, showHidden: true });
        expect(everything).not.toContain(wrong);
        expect(everything).not.toContain(secured.user.password);
      }
    },
  );

  it('SASL_SSL without the CA that signed the broker fails with a certificate error', async () => {
    const { brokers, security } = await connectionFor(secured.saslSslBrokers, {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_PASSWORD: secured.user.password,
    });
    const err = await ensureTopics(brokers, [`never-${run}`], security).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaUnavailableError);
    expect((err as Error).message).toMatch(
      /self-signed certificate.*certificate was not trusted: check KAFKA_SSL_CA_FILE/,
    );
  });
});

describe('arbiter ingest over SASL_SSL', () => {
  /** Runs `arbiter ingest --json` with these KAFKA_* variables until `until` resolves, then Ctrl-C. */
  async function arbiterIngest(
    vars: Record<string, string>,
    until: (stderr: () => string, running: () => boolean) => Promise<void>,
  ) {
    const name = `cli-${run}`;
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: orch.env.address,
      ARBITER_TASK_QUEUE: orch.taskQueue,
      ARBITER_INGEST_TOPIC: `${name}.req`,
      ARBITER_OUTCOMES_TOPIC: `${name}.out`,
      ARBITER_DEAD_LETTER_TOPIC: `${name}.dlq`,
      ARBITER_INGEST_GROUP: name,
      LOG_LEVEL: 'trace',
      ...vars,
    };
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'arbiter.js'), 'ingest', '--json'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let running = true;
    void exited.then(() => (running = false));
    try {
      await Promise.race([
        until(
          () => stderr,
          () => running,
        ),
        exited,
      ]);
      child.kill('SIGINT');
      const [code] = await exited;
      return { code, stdout, stderr, topics: { requests: `${name}.req`, outcomes: `${name}.out` } };
    } finally {
      child.kill('SIGKILL');
    }
  }

  const sslVars = () => ({
    KAFKA_BROKERS: secured.saslSslBrokers,
    KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: secured.user.name,
    KAFKA_SSL_CA_FILE: secured.caFile,
  });

  it('decides with SCRAM-SHA-512 and a password file, and logs no password', async () => {
    const passwordFile = join(secrets, 'cli.password');
    await writeFile(passwordFile, `${secured.user.password}\n`);
    const holdoutCase = holdout[1];
    if (!holdoutCase) throw new Error('the holdout is too short');
    const caseId = `${holdoutCase.caseId}-cli-${run}`;
    const value = JSON.stringify({ caseId, input: holdoutCase.input, model: 'phishing-gb:champion' });
    const result = await arbiterIngest(
      { ...sslVars(), KAFKA_SASL_PASSWORD_FILE: passwordFile },
      async (stderr, running) => {
        while (!stderr().includes('ingest consuming')) {
          if (!running()) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        await produce(kafka.brokers, `cli-${run}.req`, [{ key: caseId, value }]);
        await readTopic(kafka.brokers, `cli-${run}.out`, (read) => read.length >= 1, 30_000);
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      consumed: 1,
      decided: 1,
      deadLettered: 0,
    });
    expect(result.stderr).not.toContain(secured.user.password);
  });

  it('a wrong password exits 1 with the reason, not the password', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const result = await arbiterIngest({ ...sslVars(), KAFKA_SASL_PASSWORD: wrong }, () => new Promise(() => {}));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused the credentials');
    expect(result.stderr).not.toContain(wrong);
  });
});
