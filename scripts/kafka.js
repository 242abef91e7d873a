#!/usr/bin/env node
// @ts-check
// A real Apache Kafka broker (KRaft: broker and controller in one JVM, no ZooKeeper) for the tests
// and for local ingestion. Its jars come from Maven Central through `mvn`; Java runs them. Plain JS
// with no dependencies, like temporal-cli.js and mlserver.js: it runs before `npm install`.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brokerCount, clusterId, log4jProperties, scramFormatArgs, serverProperties } from './kafka-kraft.js';
import { installOnce } from './install-lock.js';

/** 3.9: the last line whose brokers also run on Java 11 (4.x needs 17); @platformatic/kafka supports 3.5 to 4.1. */
export const KAFKA_VERSION = '3.9.2';
/** The broker's jars and a logging binding (Kafka 3.9 logs through slf4j 1.7 to reload4j). */
export const KAFKA_ARTIFACTS = Object.freeze([
  `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
  'org.slf4j:slf4j-reload4j:1.7.36',
  'ch.qos.reload4j:reload4j:1.2.25',
]);
const DEPENDENCY_PLUGIN = '3.8.1';
const MIN_JAVA = 11;

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HOME = join(ROOT, '.tools', 'kafka');
const LIBS = join(HOME, 'libs');
/** Written after a verified fetch; its content is the artifacts, so changing a pin fetches again. */
const MARKER = join(HOME, '.arbiter-pins');
const LOCK = `${HOME}.lock`;
const STALE_LOCK_MS = 10 * 60_000;
const STOP_GRACE_MS = 20_000;

/** Thrown when the broker cannot be installed or started; its message says what to do. */
export class KafkaSetupError extends Error {
  /** @param {string} message @param {ErrorOptions} [options] */
  constructor(message, options) {
    super(message, options);
    this.name = 'KafkaSetupError';
  }
}

/** @param {string} name */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** JAVA_HOME's java, else the one on PATH. */
export function javaBin() {
  const home = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : undefined;
  return home && existsSync(home) ? home : onPath('java');
}

/** @returns {string} the java executable, checked to be new enough */
function requireJava() {
  const java = javaBin();
  const hint = `Kafka ${KAFKA_VERSION} needs Java ${MIN_JAVA}+ (17 recommended): apt-get install openjdk-17-jre-headless`;
  if (!java) throw new KafkaSetupError(`no 'java' on PATH or in JAVA_HOME. ${hint}`);
  const out = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (out.status !== 0 || major < MIN_JAVA)
    throw new KafkaSetupError(`${java} is not usable (found: ${major || 'none'}). ${hint}`);
  return java;
}

function installed() {
  return existsSync(MARKER) && readFileSync(MARKER, 'utf8') === KAFKA_ARTIFACTS.join('\n');
}

function pom() {
  const deps = KAFKA_ARTIFACTS.map((coords) => {
    const [groupId, artifactId, version] = coords.split(':');
    return `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
  });
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>arbiter.tools</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
${deps.join('\n')}
  </dependencies>
  <build><pluginManagement><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>${DEPENDENCY_PLUGIN}</version>
  </plugin></plugins></pluginManagement></build>
</project>
`;
}

/** @param {(msg: string) => void} log */
function fetchJars(log) {
  requireJava();
  const mvn = onPath('mvn');
  if (!mvn)
    throw new KafkaSetupError(`no 'mvn' on PATH: the broker's jars are fetched with Maven (apt-get install maven)`);
  log(`fetching Kafka ${KAFKA_VERSION} jars into .tools/kafka/libs (Maven)`);
  const started = Date.now();
  const staging = `${LIBS}.partial`;
  rmSync(MARKER, { force: true });
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(HOME, { recursive: true });
  const pomPath = join(HOME, 'pom.xml');
  writeFileSync(pomPath, pom());
  const args = ['-q', '-B', '-f', pomPath, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`];
  const run = spawnSync(mvn, [...args, '-DincludeScope=runtime'], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (run.status !== 0) {
    const tail = `${run.stdout}${run.stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new KafkaSetupError(`mvn could not fetch Kafka ${KAFKA_VERSION} (exit ${run.status}):\n${tail}`);
  }
  if (!existsSync(join(staging, `kafka_2.13-${KAFKA_VERSION}.jar`)))
    throw new KafkaSetupError(`mvn finished but kafka_2.13-${KAFKA_VERSION}.jar is not in ${staging}`);
  rmSync(LIBS, { recursive: true, force: true });
  renameSync(staging, LIBS);
  writeFileSync(MARKER, KAFKA_ARTIFACTS.join('\n'));
  log(`Kafka jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The directory holding the broker's jars, fetching them first when they are not there yet.
 * Idempotent: once fetched it only reads a marker file.
 * @param {(msg: string) => void} [log]
 * @returns {string}
 * @throws KafkaSetupError when Java or Maven is missing or the fetch fails
 */
export function ensureKafka(log = (msg) => console.error(`[setup] ${msg}`)) {
  installOnce({ lock: LOCK, staleMs: STALE_LOCK_MS, installed, install: () => fetchJars(log) });
  return LIBS;
}

/** @param {string} file */
async function tail(file) {
  return (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').slice(-30).join('\n');
}

/**
 * @param {string} java @param {string} libs @param {string} dir
 * @param {import('./kafka-kraft.js').KafkaSecurity} [security]
 */
async function formatStorage(java, libs, dir, security) {
  if (existsSync(join(dir, 'data', 'meta.properties'))) return;
  // A short-lived tool: the quick (C1-only) compiler and a simple collector start it faster.
  const jvm = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
  const args = [...jvm, '-cp', join(libs, '*'), `-Dlog4j.configuration=file:${join(dir, 'log4j-tools.properties')}`];
  await writeFile(join(dir, 'log4j-tools.properties'), log4jProperties('WARN'));
  const format = [
    ...args,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId(),
    '-c',
    join(dir, 'server.properties'),
    ...scramFormatArgs(security),
  ];
  try {
    await promisify(execFile)(java, format, { timeout: 60_000 });
  } catch (err) {
    // execFile's message starts with the command line, which holds the SCRAM passwords: keep stderr only.
    const stderr = err && typeof err === 'object' && 'stderr' in err ? String(err.stderr) : '';
    const why = stderr.trim().split('\n').slice(-10).join('\n') || (err instanceof Error ? err.name : String(err));
    throw new KafkaSetupError(`formatting Kafka's storage in ${dir} failed: ${why}`, { cause: err });
  }
}

/**
 * @typedef {object} RunningKafka
 * @property {string} brokers `127.0.0.1:<port>`, for KAFKA_BROKERS and bootstrapBrokers
 * @property {number} port
 * @property {string} [saslBrokers] the SASL_PLAINTEXT listener, with `security`
 * @property {string} [saslSslBrokers] the SASL_SSL listener, with `security.saslSslPort`
 * @property {string} logFile the broker's own log
 * @property {() => Promise<void>} stop SIGTERM (a clean shutdown), SIGKILL after 20 s; safe to call twice
 */

/**
 * Starts a single-node KRaft broker on 127.0.0.1 with its data in `dir` (formatted on first use,
 * reused after), and resolves once it answers a Metadata request listing itself.
 * @param {{ dir: string, port: number, controllerPort: number, heap?: string, readyTimeoutMs?: number,
 *   security?: import('./kafka-kraft.js').KafkaSecurity }} options
 *   heap @default '512m'; readyTimeoutMs @default 60_000; security @default none (PLAINTEXT only)
 * @returns {Promise<RunningKafka>}
 * @throws KafkaSetupError with the log's tail when the broker exits or is not ready in time
 */
export async function startKafka({ dir, port, controllerPort, heap = '512m', readyTimeoutMs = 60_000, security }) {
  const libs = ensureKafka();
  const java = requireJava();
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'server.properties'),
    serverProperties({ dataDir: join(dir, 'data'), port, controllerPort, security }),
  );
  await writeFile(join(dir, 'log4j.properties'), log4jProperties('INFO'));
  await formatStorage(java, libs, dir, security);
  const logFile = join(dir, 'server.log');
  const log = await open(logFile, 'a');
  const jvm = [`-Xmx${heap}`, '-Xms64m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];
  const args = [...jvm, `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`, '-cp', join(libs, '*')];
  const child = spawn(java, [...args, 'kafka.Kafka', join(dir, 'server.properties')], {
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  const exited = new Promise((done) => child.once('exit', done));
  let running = true;
  void exited.then(() => (running = false));
  const stop = async () => {
    if (running) child.kill('SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS, false, { ref: false })]);
    if (!gone) child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + readyTimeoutMs;
  while ((await brokerCount(port)) < 1) {
    if (!running || Date.now() > deadline) {
      await stop();
      const why = running ? `was not ready within ${readyTimeoutMs} ms` : 'exited before it was ready';
      throw new KafkaSetupError(`Kafka on 127.0.0.1:${port} ${why}. Last lines of ${logFile}:\n${await tail(logFile)}`);
    }
    await sleep(100);
  }
  return {
    brokers: `127.0.0.1:${port}`,
    port,
    ...(security ? { saslBrokers: `127.0.0.1:${security.saslPort}` } : {}),
    ...(security?.saslSslPort === undefined ? {} : { saslSslBrokers: `127.0.0.1:${security.saslSslPort}` }),
    logFile,
    stop,
  };
}

/** `node scripts/kafka.js serve [port] [controllerPort] [dir]`: a local broker until Ctrl-C. */
async function serve() {
  const [port = '9092', controllerPort = '9093', dir = join(ROOT, '.arbiter', 'kafka')] = process.argv.slice(3);
  const started = Date.now();
  const kafka = await startKafka({ dir: resolve(dir), port: Number(port), controllerPort: Number(controllerPort) });
  console.error(
    `Kafka ${KAFKA_VERSION} on ${kafka.brokers} (ready in ${Date.now() - started} ms; log: ${kafka.logFile})`,
  );
  await new Promise((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await kafka.stop();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv[2] === 'serve') await serve();
    else console.log(ensureKafka());
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
