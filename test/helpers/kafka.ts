import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Admin, Consumer, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { freePort } from '../../cli/stack/ports';
import { startKafka } from '../../scripts/kafka.js';

/** The authenticating listeners of a broker started with `{ secured: true }`. */
export interface SecuredListeners {
  /** SASL_PLAINTEXT, `127.0.0.1:<port>` */
  saslBrokers: string;
  /** SASL_SSL, `127.0.0.1:<port>`, with a certificate for 127.0.0.1 and localhost signed by nobody */
  saslSslBrokers: string;
  /** The broker's self-signed certificate (PEM): the CA file clients need for SASL_SSL. */
  caFile: string;
  /** Accepted by PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 on both listeners. */
  user: { name: string; password: string };
}

export interface TestKafka {
  /** `127.0.0.1:<port>`, PLAINTEXT (always there: the readiness probe and the tests' own clients use it) */
  brokers: string;
  /** With `{ secured: true }`. */
  secured?: SecuredListeners;
  /** Milliseconds from spawning the JVM (storage formatted) to a Metadata answer. */
  startMs: number;
  /** Stops the broker and removes its directory. */
  stop(): Promise<void>;
}

/** `n` distinct free ports. */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost and its unencrypted PKCS#8 key, made by the
 * `openssl` CLI (node:crypto makes keys, not X.509 certificates). No openssl fails the suite.
 */
async function selfSignedCertificate(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, 'broker-cert.pem');
  const keyFile = join(dir, 'broker-key.pem');
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', ...subject];
  await promisify(execFile)('openssl', [...args, '-keyout', keyFile, '-out', certFile], { timeout: 60_000 });
  return { certFile, keyFile };
}

/**
 * A real single-node KRaft broker (scripts/kafka.js) for one suite, on free ports, in a temporary
 * directory. `secured` adds a SASL_PLAINTEXT and a SASL_SSL listener (PLAIN and SCRAM) with one user
 * of a random password. Missing Java, Maven or openssl fails the suite: integration tests never skip.
 * @param options secured @default false
 */
export async function startTestKafka(options: { secured?: boolean } = {}): Promise<TestKafka> {
  const dir = await mkdtemp(join(tmpdir(), 'arbiter-kafka-'));
  const [port = 0, controllerPort = 0, saslPort = 0, saslSslPort = 0] = await freePorts(options.secured ? 4 : 2);
  const started = Date.now();
  try {
    const user = { name: 'arbiter-ingest', password: `pw-${randomBytes(12).toString('hex')}` };
    const cert = options.secured ? await selfSignedCertificate(dir) : undefined;
    const security = cert && {
      users: [user],
      saslPort,
      saslSslPort,
      tls: { cert: await readFile(cert.certFile, 'utf8'), key: await readFile(cert.keyFile, 'utf8') },
    };
    const kafka = await startKafka({ dir, port, controllerPort, ...(security ? { security } : {}) });
    const secured =
      cert && kafka.saslBrokers && kafka.saslSslBrokers
        ? { saslBrokers: kafka.saslBrokers, saslSslBrokers: kafka.saslSslBrokers, caFile: cert.certFile, user }
        : undefined;
    return {
      brokers: kafka.brokers,
      ...(secured ? { secured } : {}),
      startMs: Date.now() - started,
      async stop() {
        await kafka.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Creates topics with `partitions` partitions each. */
export async function createTopics(brokers: string, topics: string[], partitions = 3): Promise<void> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [brokers] });
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** One message to produce; without `partition` the key decides it. */
export interface TestMessage {
  key?: string;
  value?: string;
  partition?: number;
}

/**
 * Produces messages one at a time, in order, each acknowledged by every replica. One per request
 * on purpose: the client retries a whole request when one partition of it fails (NOT_LEADER on a
 * topic just created), which would duplicate the partitions that had succeeded.
 */
export async function produce(brokers: string, topic: string, messages: TestMessage[]): Promise<void> {
  const producer = new Producer({
    clientId: 'test-producer',
    bootstrapBrokers: [brokers],
    serializers: stringSerializers,
  });
  try {
    for (const m of messages) await producer.send({ messages: [{ topic, ...m }], acks: ProduceAcks.ALL });
  } finally {
    await producer.close();
  }
}

/** A message read back, with its headers as a plain object. */
export interface ReadMessage {
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string>;
  partition: number;
  offset: bigint;
}

/**
 * Reads a topic from the beginning (no group offsets kept) until `until` holds for what was read,
 * or `timeoutMs` passes; returns everything read either way.
 */
export async function readTopic(
  brokers: string,
  topic: string,
  until: (read: ReadMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const groupId = `reader-${topic}-${Math.random().toString(36).slice(2)}`;
  const consumer = new Consumer({
    clientId: 'test-reader',
    groupId,
    bootstrapBrokers: [brokers],
    deserializers: stringDeserializers,
  });
  const read: ReadMessage[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 200 });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const check = () => {
        if (!until(read)) return;
        clearTimeout(timer);
        resolve();
      };
      stream.on('data', (m) => {
        read.push({
          key: m.key,
          value: m.value,
          headers: Object.fromEntries(m.headers),
          partition: m.partition,
          offset: m.offset,
        });
        check();
      });
      check();
    });
    await stream.close();
  } finally {
    await consumer.close();
  }
  return read;
}

/** Everything on a topic right now (up to its end offsets). */
export async function readAll(brokers: string, topic: string): Promise<ReadMessage[]> {
  const end = await endOffsets(brokers, topic);
  const total = [...end.values()].reduce((sum, o) => sum + Number(o), 0);
  const read = await readTopic(brokers, topic, (r) => r.length >= total);
  if (read.length < total) throw new Error(`read ${read.length} of the ${total} messages on ${topic}`);
  return read;
}

/** The group's committed offsets on a topic, partition → next offset (-1 when none). */
export async function committedOffsets(brokers: string, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [brokers] });
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    const partitions = group?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return new Map(partitions.map((p) => [p.partitionIndex, p.committedOffset]));
  } finally {
    await admin.close();
  }
}

/** The topic's end offsets, partition → next offset to be written. */
export async function endOffsets(brokers: string, topic: string): Promise<Map<number, bigint>> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [brokers] });
  try {
    const metadata = await admin.metadata({ topics: [topic] });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n }));
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
  } finally {
    await admin.close();
  }
}
