import { z } from 'zod';
import { parseDurationMs } from '../core/outage';
import {
  CEILING_MAX_CASE_BYTES,
  DEFAULT_MAX_CASE_BYTES,
  DEFAULT_MAX_CASE_FIELDS,
  type CaseLimits,
} from '../core/case-limits';
import { DEFAULT_TASK_QUEUE } from '../core/workflow-input';
import { EncryptionKeysSchema } from '../codec/keys';
import { DEMO_DIRS, PROJECT_ROOT } from './paths';

/** librdkafka's `security.protocol` values. */
export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
/** The SASL mechanisms @platformatic/kafka speaks that a password suits (no OAUTHBEARER, no GSSAPI). */
export const KAFKA_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
/** librdkafka takes these in any case: so do we; empty counts as unset. */
const upperOrUnset = (v: unknown) =>
  typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toUpperCase()) : v;
/** A duration: '10m', '30s', '500ms', '1h' or a bare number of milliseconds; parsed to milliseconds. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDurationMs(v);
      if (ms !== undefined) return ms;
      ctx.addIssue({ code: 'custom', message: "expected a duration such as '10m', '30s', '500ms' or milliseconds" });
      return z.NEVER;
    });

/**
 * Every Arbiter setting, one line each with its default; README.md's `## Configuration` table mirrors
 * it (test/config/readme-table.test.ts keeps the two in step). Temporal connection settings beyond
 * TEMPORAL_ADDRESS follow the SDK's envconfig conventions (TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_PROFILE, ...), read in config/temporal.ts.
 */
export const EnvSchema = z.object({
  /** Embedded stack data: Temporal's SQLite file, PGlite's files, `temporal/temporal.log`. @default '.arbiter' */
  ARBITER_DATA_DIR: z.string().default('.arbiter'),
  /** PostgreSQL for the decision log; when set, no embedded database starts. @default unset (the embedded PGlite) */
  DATABASE_URL: optional,
  /** Temporal frontend; when set, no dev server starts. @default unset (the embedded Temporal dev server) */
  TEMPORAL_ADDRESS: optional,
  /** The orchestrator worker's task queue. @default 'arbiter-orchestrator' */
  ARBITER_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  /** The embedded Temporal frontend's port. @default 7233 */
  ARBITER_TEMPORAL_PORT: port(7233),
  /** The embedded Temporal Web UI's port. @default 8233 */
  ARBITER_UI_PORT: port(8233),
  /** The embedded PGlite's PostgreSQL wire port. @default 5433 */
  ARBITER_PG_PORT: port(5433),
  /** Where file-based models live (relative `uri`s resolve here). @default '<project>/demo/models' */
  ARBITER_MODELS_DIR: z.string().default(DEMO_DIRS.models),
  /** Pipeline specs applied at start by the embedded stack (and ARBITER_REGISTER_CARDS). @default '<project>/demo/pipelines' */
  ARBITER_PIPELINES_DIR: z.string().default(DEMO_DIRS.pipelines),
  /** Rule sets applied at start by the embedded stack (and ARBITER_REGISTER_CARDS). @default '<project>/demo/rules' */
  ARBITER_RULES_DIR: z.string().default(DEMO_DIRS.rules),
  /** Models a model-pool process serves, comma-separated. @default every registered model, and each one registered later */
  ARBITER_POOL_MODELS: optional.transform((v) =>
    v
      ?.split(',')
      .map((m) => m.trim())
      .filter(Boolean),
  ),
  /** Step result cache shared by workers: Redis when set, in-memory otherwise. @default unset (in memory) */
  REDIS_URL: optional,
  /** Register the model cards in ARBITER_MODELS_DIR and apply ARBITER_PIPELINES_DIR and ARBITER_RULES_DIR at start (the embedded stack always does). @default false */
  ARBITER_REGISTER_CARDS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Where case vectors live: pgvector in DATABASE_URL's database, Pinecone, or nowhere (no similarity search). @default 'pgvector' */
  ARBITER_VECTOR_STORE: z.enum(['pgvector', 'pinecone', 'none']).default('pgvector'),
  /** Pinecone: the API key (required with ARBITER_VECTOR_STORE=pinecone). @default unset */
  PINECONE_API_KEY: optional,
  /** Pinecone: a dense index with the cosine metric and the embedder's dimension (required with pinecone). @default unset */
  PINECONE_INDEX: optional,
  /** Pinecone: the index's data-plane host (skips the control-plane lookup). @default unset (the control plane resolves it) */
  PINECONE_INDEX_HOST: optional,
  /** Pinecone: the control plane. @default the SDK's */
  PINECONE_CONTROLLER_HOST: optional,
  /** Keep each case's input in the decision log (its hash is always kept). @default true */
  ARBITER_STORE_INPUT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Workflow stack traces (the Temporal UI's Stack Trace tab, frames in errors thrown by workflow code): the SDK captures a stack for every promise a workflow makes, 4–6 ms of the worker's CPU a decision. @default false */
  ARBITER_WORKFLOW_STACK_TRACES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Workflow tasks the orchestrator worker runs at once (the SDK's maxConcurrentWorkflowTaskExecutions, 40 there): a decision holds one from its eager start until its task is acknowledged, past the answer, and an eager start needs a free one — at 40, 16 callers left 10 % of starts without one, each then decided through the server. @default 100 */
  ARBITER_WORKFLOW_TASK_SLOTS: z.coerce.number().int().min(2).max(10_000).default(100),
  /** Where `/metrics` is served (Arbiter's and the Temporal SDK's metrics); `0` turns it off. @default 9464 for `arbiter dev`/`demo` and the orchestrator worker; off for the model pool, `arbiter api` and `arbiter ingest` */
  ARBITER_METRICS_PORT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  /** `arbiter api`'s HTTP port; empty counts as unset (other tools set PORT too). @default 8080 */
  PORT: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), port(8080)),
  /** What `arbiter health` (the image's HEALTHCHECK) GETs: the API sets its `/healthz`. @default `/metrics` on ARBITER_METRICS_PORT (9464) at 127.0.0.1 */
  ARBITER_HEALTH_URL: optional,
  /** Bearer keys `arbiter api` accepts: `name:role[+role]:secret`, comma-separated (config/api-keys-source.ts parses them); none refuses to start unless `--no-auth`. @default none */
  ARBITER_API_KEYS: optional,
  /** A YAML or JSON file listing `{ name, roles, secret }` keys, instead of ARBITER_API_KEYS. @default unset */
  ARBITER_API_KEYS_FILE: optional,
  /** Payload encryption keys, `id:base64-32-bytes[,id2:…]`: the first encrypts, all decrypt. @default unset (the embedded stack: a key it creates in ARBITER_DATA_DIR; otherwise no encryption) */
  ARBITER_ENCRYPTION_KEYS: optional.pipe(EncryptionKeysSchema.optional()),
  /** The Temporal Web UI's address the console links each decision's workflow to. @default the embedded UI (http://localhost:ARBITER_UI_PORT) when TEMPORAL_ADDRESS is unset, else none */
  ARBITER_TEMPORAL_UI_URL: optional,
  /** Browser origins (the Temporal UI's) allowed to call `arbiter api`'s `/codec`, comma-separated. @default none */
  ARBITER_CODEC_CORS_ORIGINS: optional.transform(
    (v) =>
      v
        ?.split(',')
        .map((o) => o.trim())
        .filter(Boolean) ?? [],
  ),
  /** The embedded stack's codec endpoint for its own Temporal UI (127.0.0.1 only; `arbiter dev` prints it). @default unset (a free port) */
  ARBITER_CODEC_PORT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(1).max(65535).optional(),
  ),
  /** `arbiter api`'s largest request body, in bytes. @default 1048576 (1 MiB) */
  ARBITER_API_BODY_LIMIT: z.coerce.number().int().min(1).default(1_048_576),
  /** Fields a case may have: every key at every depth of its input counts (array elements do not). @default 1000 */
  ARBITER_MAX_CASE_FIELDS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_CASE_FIELDS),
  /** Largest case as compact JSON, in UTF-8 bytes; at most 1 MiB, since the case travels in workflow history. @default 262144 (256 KiB) */
  ARBITER_MAX_CASE_BYTES: z.coerce.number().int().min(64).max(CEILING_MAX_CASE_BYTES).default(DEFAULT_MAX_CASE_BYTES),
  /** Kafka bootstrap brokers for `arbiter ingest`, comma-separated host:port. @default '127.0.0.1:9092' */
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((v) =>
      v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
  /** How `arbiter ingest` talks to the brokers, as librdkafka's `security.protocol`: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (SASL over TLS). @default 'PLAINTEXT' */
  KAFKA_SECURITY_PROTOCOL: z.preprocess(upperOrUnset, z.enum(KAFKA_SECURITY_PROTOCOLS).default('PLAINTEXT')),
  /** SASL mechanism (librdkafka's `sasl.mechanism`): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; required with SASL_*. @default unset */
  KAFKA_SASL_MECHANISM: z.preprocess(upperOrUnset, z.enum(KAFKA_SASL_MECHANISMS).optional()),
  /** SASL user name; required with SASL_*. @default unset */
  KAFKA_SASL_USERNAME: optional,
  /** SASL password; with SASL_*, this or KAFKA_SASL_PASSWORD_FILE. Never logged. @default unset */
  KAFKA_SASL_PASSWORD: optional,
  /** A file holding the SASL password (a mounted secret; one trailing newline is ignored), read at each authentication. @default unset */
  KAFKA_SASL_PASSWORD_FILE: optional,
  /** PEM file of the CA(s) that signed the brokers' certificates (SSL, SASL_SSL). @default unset (Node's trusted CAs) */
  KAFKA_SSL_CA_FILE: optional,
  /** PEM client certificate for mutual TLS; needs KAFKA_SSL_KEY_FILE. @default unset (no client certificate) */
  KAFKA_SSL_CERT_FILE: optional,
  /** PEM private key (unencrypted) of KAFKA_SSL_CERT_FILE. @default unset */
  KAFKA_SSL_KEY_FILE: optional,
  /** Check the brokers' certificates and host names; `false` only to try out a cluster, never in production. @default true */
  KAFKA_SSL_REJECT_UNAUTHORIZED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Decision requests are read from this topic. @default 'arbiter.decision-requests' */
  ARBITER_INGEST_TOPIC: z.string().min(1).default('arbiter.decision-requests'),
  /** Each decision taken from the ingest topic is published here. @default 'arbiter.decisions' */
  ARBITER_OUTCOMES_TOPIC: z.string().min(1).default('arbiter.decisions'),
  /** Requests that can never be decided (bad JSON, bad fields, rejected) go here, with the reason. @default 'arbiter.decision-requests.dlq' */
  ARBITER_DEAD_LETTER_TOPIC: z.string().min(1).default('arbiter.decision-requests.dlq'),
  /** The ingest consumer group: instances sharing it share the topic's partitions. @default 'arbiter-ingest' */
  ARBITER_INGEST_GROUP: z.string().min(1).default('arbiter-ingest'),
  /** Requests decided at once by one `arbiter ingest`. @default 16 */
  ARBITER_INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(16),
  /** How long a decision waits out PostgreSQL, its model servers (or the vector store, for feedback) being unreachable before it fails with `Store.OutageExceeded` or `Model.OutageExceeded`; read by the orchestrator worker. @default '10m' */
  ARBITER_OUTAGE_TOLERANCE: duration('10m'),
  /** How long `POST /v1/decisions` waits for the answer before it answers 202 with the decision id (the decision goes on). @default '10s' */
  ARBITER_API_DECIDE_WAIT: duration('10s'),
  /** On SIGTERM or Ctrl-C, how long workers, `arbiter api` and `arbiter ingest` let work under way finish before they stop it and exit. @default '10s' */
  ARBITER_SHUTDOWN_GRACE: duration('10s'),
  /** Log level (pino) of the standalone worker, the model-pool worker, `arbiter dev`, `arbiter api` and `arbiter ingest`, the SDK's lines included. @default 'info' */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ArbiterEnv = z.infer<typeof EnvSchema>;

/** The vector-store half of the environment, checked together (Pinecone needs a key and an index). */
export function vectorStoreEnvProblem(env: ArbiterEnv): string | undefined {
  if (env.ARBITER_VECTOR_STORE !== 'pinecone') return undefined;
  const missing = (['PINECONE_API_KEY', 'PINECONE_INDEX'] as const).filter((k) => !env[k]);
  return missing.length > 0 ? `ARBITER_VECTOR_STORE=pinecone needs ${missing.join(' and ')}` : undefined;
}

/**
 * The Kafka security settings, checked together: SASL needs a mechanism, a user and one password;
 * SASL or TLS settings under a protocol that does not use them are a mistake, not a no-op. Files
 * are read (and their absence reported) by `kafkaConnectionOf` in config/kafka.ts.
 */
export function kafkaEnvProblems(env: ArbiterEnv): string[] {
  const protocol = `KAFKA_SECURITY_PROTOCOL=${env.KAFKA_SECURITY_PROTOCOL}`;
  const sasl = env.KAFKA_SECURITY_PROTOCOL.startsWith('SASL_');
  const tls = env.KAFKA_SECURITY_PROTOCOL.endsWith('SSL');
  const saslSet = (
    ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const
  ).filter((k) => env[k] !== undefined);
  const tlsSet = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const).filter(
    (k) => env[k] !== undefined,
  );
  const problems: string[] = [];
  if (sasl) {
    const missing = (['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME'] as const).filter((k) => env[k] === undefined);
    if (missing.length > 0) problems.push(`${protocol} needs ${missing.join(' and ')}`);
    if (env.KAFKA_SASL_PASSWORD === undefined && env.KAFKA_SASL_PASSWORD_FILE === undefined)
      problems.push(`${protocol} needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`);
    if (env.KAFKA_SASL_PASSWORD !== undefined && env.KAFKA_SASL_PASSWORD_FILE !== undefined)
      problems.push('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  } else if (saslSet.length > 0) {
    problems.push(`${saslSet.join(', ')} set, but ${protocol} sends no credentials: use SASL_PLAINTEXT or SASL_SSL`);
  }
  if (!tls && tlsSet.length > 0)
    problems.push(`${tlsSet.join(', ')} set, but ${protocol} does not use TLS: use SSL or SASL_SSL`);
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined))
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (a client certificate and its key)');
  return problems;
}

/** Reads and validates the environment once; a bad value names the variable. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): ArbiterEnv {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  const problems = [vectorStoreEnvProblem(parsed.data), ...kafkaEnvProblems(parsed.data)].filter(Boolean);
  if (problems.length > 0) throw new Error(`invalid environment: ${problems.join('; ')}`);
  return parsed.data;
}

/** The limits every way in (client, API, CLI, Kafka, batch) checks a case against. */
export function caseLimitsOf(env: ArbiterEnv): CaseLimits {
  return { maxFields: env.ARBITER_MAX_CASE_FIELDS, maxBytes: env.ARBITER_MAX_CASE_BYTES };
}

/** DATABASE_URL, or the embedded stack's database (while `arbiter dev` runs). */
export function databaseUrlOf(env: ArbiterEnv): string {
  return env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:${env.ARBITER_PG_PORT}/postgres?sslmode=disable`;
}

export { PROJECT_ROOT };

/** The port `/metrics` is served on, or undefined (off): ARBITER_METRICS_PORT, else this process's default. */
export function metricsPortOf(
  env: Pick<ArbiterEnv, 'ARBITER_METRICS_PORT'>,
  fallback: number | undefined,
): number | undefined {
  const port = env.ARBITER_METRICS_PORT ?? fallback;
  return port ? port : undefined;
}

/** The port the embedded stack and the orchestrator worker serve `/metrics` on by default (OpenTelemetry's Prometheus port). */
export const DEFAULT_METRICS_PORT = 9464;
