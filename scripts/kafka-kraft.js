// @ts-check
// What a single-node KRaft broker needs besides its jars: its config files, a cluster id, and a
// readiness probe that speaks just enough of the Kafka protocol. No dependencies (see kafka.js).
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/**
 * @typedef {object} KafkaUser
 * @property {string} name
 * @property {string} password
 */

/**
 * Listeners that authenticate, beside the PLAINTEXT one (which the readiness probe and the broker's
 * own traffic keep using). Every user is accepted by every mechanism: PLAIN through the listener's
 * JAAS config, SCRAM through credentials written into the metadata when the storage is formatted.
 * @typedef {object} KafkaSecurity
 * @property {KafkaUser[]} users names and passwords of letters, digits, '.', '_' and '-' only (they go into JAAS and --add-scram unquoted)
 * @property {number} saslPort a SASL_PLAINTEXT listener
 * @property {number} [saslSslPort] a SASL_SSL listener too; needs `tls`
 * @property {{ cert: string, key: string }} [tls] the broker's certificate (chain) and unencrypted PKCS#8 key, PEM text
 */

/** The SASL mechanisms the secured listeners enable. */
export const SASL_MECHANISMS = Object.freeze(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
const SAFE = /^[\w.-]+$/;

/**
 * server.properties for a single node, broker and controller in one process, on 127.0.0.1. Topics
 * are never created implicitly (auto.create.topics.enable=false): a mistyped topic fails instead of
 * quietly getting its own log; `arbiter ingest` creates the topics it uses. Internal topics get one
 * replica, there being one broker, and a new group does not wait for more members to join.
 * @param {{ dataDir: string, port: number, controllerPort: number, security?: KafkaSecurity }} o
 */
export function serverProperties({ dataDir, port, controllerPort, security }) {
  const listeners = [['PLAINTEXT', port]];
  if (security) listeners.push(['SASL_PLAINTEXT', security.saslPort]);
  if (security?.saslSslPort !== undefined) listeners.push(['SASL_SSL', security.saslSslPort]);
  const at = listeners.map(([name, p]) => `${name}://127.0.0.1:${p}`).join(',');
  const protocols = listeners.map(([name]) => `${name}:${name}`).join(',');
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${at},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=${at}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=CONTROLLER:PLAINTEXT,${protocols}`,
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'group.initial.rebalance.delay.ms=0',
    ...(security ? securityProperties(security) : []),
    '',
  ].join('\n');
}

/** @param {KafkaSecurity} security */
function securityProperties({ users, saslSslPort, tls }) {
  for (const u of users)
    if (!SAFE.test(u.name) || !SAFE.test(u.password))
      throw new Error(`Kafka test user names and passwords are [A-Za-z0-9._-] only (got user '${u.name}')`);
  if (saslSslPort !== undefined && !tls) throw new Error('a SASL_SSL listener needs tls: { cert, key }');
  const plainUsers = users.map((u) => `user_${u.name}="${u.password}"`).join(' ');
  const jaas = {
    plain: `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    scram: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
  };
  const names = ['sasl_plaintext', ...(saslSslPort === undefined ? [] : ['sasl_ssl'])];
  return [
    `sasl.enabled.mechanisms=${SASL_MECHANISMS.join(',')}`,
    ...names.flatMap((name) => [
      `listener.name.${name}.plain.sasl.jaas.config=${jaas.plain}`,
      `listener.name.${name}.scram-sha-256.sasl.jaas.config=${jaas.scram}`,
      `listener.name.${name}.scram-sha-512.sasl.jaas.config=${jaas.scram}`,
    ]),
    // PEM given inline (Kafka 2.7+): no keytool, and unlike a PEM keystore file the key may be
    // unencrypted. Properties files unescape '\n', which keeps each PEM on one line.
    ...(tls
      ? [
          'ssl.keystore.type=PEM',
          `ssl.keystore.certificate.chain=${inlinePem(tls.cert)}`,
          `ssl.keystore.key=${inlinePem(tls.key)}`,
        ]
      : []),
  ];
}

/** @param {string} pem */
const inlinePem = (pem) => pem.trim().split(/\r?\n/).join('\\n');

/**
 * `kafka-storage format` arguments that store every user's SCRAM credentials, for each SCRAM
 * mechanism (KRaft keeps them in the metadata log, so they must exist before the broker starts).
 * @param {KafkaSecurity | undefined} security
 */
export function scramFormatArgs(security) {
  return (security?.users ?? []).flatMap((u) =>
    SASL_MECHANISMS.filter((m) => m.startsWith('SCRAM-')).flatMap((m) => [
      '--add-scram',
      `${m}=[name=${u.name},password=${u.password}]`,
    ]),
  );
}

/** @param {string} level */
export function log4jProperties(level) {
  return [
    `log4j.rootLogger=${level}, stdout`,
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    // Both log every config value at start: hundreds of lines nobody reads.
    'log4j.logger.kafka.server.KafkaConfig=WARN',
    'log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN',
    '',
  ].join('\n');
}

/** A cluster id as `kafka-storage random-uuid` makes them: 16 random bytes, base64url, not starting with '-'. */
export function clusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * @param {number} port
 * @returns {Promise<number>} how many brokers a Metadata (v4) request lists; 0 when nothing answers yet
 */
export function brokerCount(port) {
  // Header v1 (api key 3 = Metadata, version 4, correlation id, client id), then topics = null (-1)
  // and allow_auto_topic_creation = false. The answer starts: correlation id, throttle ms, brokers.
  const clientId = Buffer.from('arbiter-probe');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let at = body.writeInt16BE(3, 0);
  at = body.writeInt16BE(4, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(clientId.length, at);
  at += clientId.copy(body, at);
  at = body.writeInt32BE(-1, at);
  body.writeInt8(0, at);
  const frame = Buffer.concat([Buffer.alloc(4), body]);
  frame.writeInt32BE(body.length, 0);
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    /** @type {Buffer[]} */
    const chunks = [];
    const finish = (/** @type {number} */ n) => {
      socket.destroy();
      done(n);
    };
    socket.setTimeout(2_000, () => finish(0));
    socket.once('error', () => finish(0));
    socket.once('connect', () => socket.write(frame));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const got = Buffer.concat(chunks);
      if (got.length >= 16) finish(got.readInt32BE(4) === 1 ? got.readInt32BE(12) : 0);
    });
  });
}
