import { join, resolve } from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Pool } from 'pg';
import { ArbiterClient, TemporalUnreachableError } from '../../client';
import { tracingInterceptors } from '../../client/tracing';
import { openMigratedDatabase, startEmbeddedDatabase } from '../../admin/database';
import { caseLimitsOf, type ArbiterEnv } from '../../config/env';
import type { ModelServices } from '../../admin/model-services';
import { startOrchestratorRuntime, type OrchestratorRuntime } from '../../workers/orchestrator-runtime';
import type { DataConverter } from '@temporalio/common';
import { encryptionKeysOf } from '../../config/encryption';
import { temporalTarget } from '../../config/temporal';
import { startCodecServer } from '../../api/codec-server';
import { EncryptionCodec } from '../../codec/encryption-codec';
import { assertPortFree } from './ports';
import { createArbiterMetrics, type ArbiterMetrics } from '../../metrics/arbiter-metrics';
import { startTemporalDevServer } from './temporal-dev-server';
import { AnswerDesk } from '../../client/answer-desk';

/** A running Arbiter: database, Temporal, the orchestrator worker and a client on top. */
export interface Stack {
  temporalAddress: string;
  /** Set when Arbiter started the dev server itself. */
  uiUrl?: string;
  /** The embedded UI's codec endpoint (set when Arbiter started the dev server and payloads are encrypted). */
  codecEndpoint?: string;
  /** What every client and worker of this stack uses (payload encryption); more workers take it too. */
  dataConverter: DataConverter;
  /** The embedded dev server's process id (benchmarks read its memory). */
  temporalPid?: number;
  databaseUrl: string;
  embedded: { temporal: boolean; database: boolean };
  client: ArbiterClient;
  /** Where the worker hands decisions to `client` in-process (eager start; see client/answer-desk.ts). */
  answers: AnswerDesk;
  store: OrchestratorRuntime['store'];
  models: ModelServices;
  pool: Pool;
  /** What the stack counts (serve it with metrics/server.ts; `arbiter dev` does on ARBITER_METRICS_PORT). */
  metrics: ArbiterMetrics;
  /** Stops everything it started, in reverse order; safe to call twice. */
  stop(): Promise<void>;
}

type Step = () => Promise<void>;

/**
 * Starts the embedded stack, or attaches to DATABASE_URL / TEMPORAL_ADDRESS where they are set.
 * On a failure part-way, whatever had started is stopped again before the error propagates.
 */
export async function startStack(
  env: ArbiterEnv,
  log: (msg: string) => void = () => undefined,
  { metrics = createArbiterMetrics() }: { metrics?: ArbiterMetrics } = {},
): Promise<Stack> {
  const dataDir = resolve(env.ARBITER_DATA_DIR);
  const undo: Step[] = [];
  const stopAll = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch((err: unknown) => log(`shutdown: ${String(err)}`));
  };
  try {
    let databaseUrl = env.DATABASE_URL;
    // The embedded database tells this process of registry changes: pins skip the generation read.
    let registryGeneration: (() => string | undefined) | undefined;
    if (!databaseUrl) {
      await assertPortFree(env.ARBITER_PG_PORT, 'embedded PostgreSQL', 'ARBITER_PG_PORT');
      const pg = await startEmbeddedDatabase({ dataDir: join(dataDir, 'pgdata'), port: env.ARBITER_PG_PORT });
      undo.push(() => pg.stop());
      databaseUrl = pg.url;
      registryGeneration = pg.registryGeneration;
      log(`embedded PostgreSQL (PGlite + pgvector) at ${databaseUrl}`);
    }
    const pool = await openMigratedDatabase(databaseUrl);
    undo.push(() => pool.end());

    // The embedded stack is encrypted by default: a key is created in the data dir on first start.
    const keys = await encryptionKeysOf(env, { create: true });
    let address = env.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    let temporalPid: number | undefined;
    let codecEndpoint: string | undefined;
    if (!address) {
      await assertPortFree(env.ARBITER_TEMPORAL_PORT, 'Temporal frontend', 'ARBITER_TEMPORAL_PORT');
      await assertPortFree(env.ARBITER_UI_PORT, 'Temporal Web UI', 'ARBITER_UI_PORT');
      if (keys) {
        // The UI reads payloads through it; see api/codec-server.ts for why it takes no API key.
        // A free port unless set: the UI is told where it is, so nothing needs a fixed one.
        const port = env.ARBITER_CODEC_PORT ?? 0;
        if (port) await assertPortFree(port, 'codec endpoint for the Temporal UI', 'ARBITER_CODEC_PORT');
        const ui = [`http://localhost:${env.ARBITER_UI_PORT}`, `http://127.0.0.1:${env.ARBITER_UI_PORT}`];
        const codec = await startCodecServer({
          port,
          codecs: [new EncryptionCodec(keys)],
          uiOrigins: ui,
        });
        undo.push(() => codec.close());
        codecEndpoint = codec.endpoint;
      }
      const temporal = await startTemporalDevServer({
        dataDir: join(dataDir, 'temporal'),
        port: env.ARBITER_TEMPORAL_PORT,
        uiPort: env.ARBITER_UI_PORT,
        uiCodecEndpoint: codecEndpoint,
      });
      undo.push(() => temporal.stop());
      address = temporal.address;
      uiUrl = temporal.uiUrl;
      temporalPid = temporal.pid;
      log(`Temporal dev server at ${address}, Web UI at ${uiUrl}`);
    }
    const target = temporalTarget(address, keys);
    const connection = await NativeConnection.connect(target.connectionOptions).catch((err: unknown) => {
      throw new TemporalUnreachableError(address, { cause: err });
    });
    undo.push(() => connection.close());

    // The worker hands each decision to the client here: no trip through the server (eager start).
    const answers = new AnswerDesk();
    const runtime = await startOrchestratorRuntime({
      connection,
      answers,
      namespace: target.namespace,
      pool,
      env,
      seedDemo: true,
      dataConverter: target.dataConverter,
      modelPool: true,
      metrics,
      log,
      registryGeneration,
    });
    undo.push(() => runtime.stop());
    const { models, store } = runtime;
    log(`orchestrator worker on task queue '${env.ARBITER_TASK_QUEUE}'`);

    // The client shares the worker's connection: one connection per embedded stack.
    const { namespace, dataConverter } = target;
    const temporal = new Client({ connection, namespace, dataConverter, interceptors: tracingInterceptors() });
    const client = new ArbiterClient(temporal, {
      taskQueue: env.ARBITER_TASK_QUEUE,
      caseLimits: caseLimitsOf(env),
      answers,
      pin: runtime.pin,
    });
    const embedded = { temporal: !env.TEMPORAL_ADDRESS, database: !env.DATABASE_URL };
    return {
      temporalAddress: address,
      uiUrl,
      codecEndpoint,
      dataConverter,
      temporalPid,
      databaseUrl,
      embedded,
      client,
      answers,
      store,
      models,
      pool,
      metrics,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
