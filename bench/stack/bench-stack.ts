import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { openDatabase } from '../../admin/database';
import { ArbiterClient } from '../../client';
import { freePort } from '../../cli/stack/ports';
import { startTemporalDevServer, type TemporalDevServer } from '../../cli/stack/temporal-dev-server';
import { loadEnv, PROJECT_ROOT } from '../../config/env';
import { cpuSeconds, startTsxProcess, type BenchProcess } from './processes';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { WorkerSlot } from './worker-slot';

export interface BenchStackOptions {
  /** Prefix of the temporary data dir. */
  prefix: string;
  /** Orchestrator worker processes (`workers/main.ts`). @default 2 */
  workers?: number;
  /** A real PostgreSQL; unset starts the embedded PGlite in a process of its own. @default unset */
  databaseUrl?: string;
  /**
   * A Temporal server already running (the real cluster, scripts/cluster.js): the stack starts no
   * dev server and cannot kill it. @default unset: a dev server of the stack's own
   */
  temporal?: { address: string; pid?: number };
  /**
   * Workers reach the database through the stack's TCP proxy (for outages); `false` connects them
   * straight to it, so that a benchmark's bench process does not also carry every query. @default true
   */
  dbProxy?: boolean;
  log: (msg: string) => void;
}

/**
 * The production-shaped stack on one machine: the Temporal dev server (persistent SQLite), PostgreSQL
 * behind a TCP proxy (for outages), orchestrator worker processes and a model-pool process, each a
 * child of the bench on 127.0.0.1 ports; the bench talks to Temporal through the typed client.
 */
export class BenchStack {
  server!: TemporalDevServer;
  client!: ArbiterClient;
  /** A pool straight to the database (not through the proxy), for the bench's own checks. */
  db!: Pool;
  proxy!: TcpProxy;
  readonly slots: WorkerSlot[] = [];
  private embedded: BenchProcess | undefined;
  private ports = { temporal: 0, ui: 0 };
  private readonly cpuByPid = new Map<number, { role: string; seconds: number }>();
  private sampler: NodeJS.Timeout | undefined;
  private workerEnv: (() => NodeJS.ProcessEnv) | undefined;

  private constructor(
    readonly dataDir: string,
    private readonly opts: BenchStackOptions,
  ) {}

  static async start(opts: BenchStackOptions): Promise<BenchStack> {
    const dataDir = await mkdtemp(join(tmpdir(), opts.prefix));
    await mkdir(join(dataDir, 'logs'), { recursive: true });
    const stack = new BenchStack(dataDir, opts);
    try {
      await stack.startAll();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    // Ctrl-C or a kill stops every process the stack started, not just the bench.
    const stopOnSignal = () => void stack.stop().finally(() => process.exit(130));
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    return stack;
  }

  get temporalAddress(): string {
    return this.opts.temporal?.address ?? this.server.address;
  }

  private async startAll(): Promise<void> {
    const { log } = this.opts;
    const dbUrl = this.opts.databaseUrl || (await this.startEmbeddedDb());
    const target = new URL(dbUrl);
    this.proxy = await startTcpProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(dbUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(this.proxy.port);
    if (!this.opts.temporal) {
      this.ports = { temporal: await freePort(), ui: await freePort() };
      await this.startServer();
    }
    log(
      `temporal ${this.temporalAddress}${this.opts.temporal ? ' (cluster)' : ''}, database ${this.opts.databaseUrl ? 'PostgreSQL' : 'PGlite'} via proxy :${this.proxy.port}`,
    );
    this.db = await openDatabase(dbUrl, { max: 4 });
    const workersDb = this.opts.dbProxy === false ? dbUrl : viaProxy.toString();
    const env = (): NodeJS.ProcessEnv => ({
      ...process.env,
      DATABASE_URL: workersDb,
      TEMPORAL_ADDRESS: this.temporalAddress,
      ARBITER_DATA_DIR: this.dataDir,
      ARBITER_REGISTER_CARDS: 'false',
      LOG_LEVEL: 'info',
      // Several workers on one host would all take the default /metrics port; the bench reads none.
      ARBITER_METRICS_PORT: '0',
    });
    this.workerEnv = env;
    const logs = join(this.dataDir, 'logs');
    const count = this.opts.workers ?? 2;
    for (let i = 1; i <= count; i++)
      this.slots.push(new WorkerSlot(`orchestrator-${i}`, 'orchestrator', env, logs, log));
    this.slots.push(new WorkerSlot('model-pool-1', 'model-pool', env, logs, log));
    // The first worker migrates and registers the demo models, pipelines and rules; the rest need them.
    const [first, ...rest] = this.slots;
    await first?.start({ ARBITER_REGISTER_CARDS: 'true' });
    await Promise.all(rest.map((s) => s.start()));
    log(`${count} orchestrator workers and a model pool running; data in ${this.dataDir}`);
    // The workers' keys: they read ARBITER_ENCRYPTION_KEYS from the same environment.
    const encryptionKeys = loadEnv().ARBITER_ENCRYPTION_KEYS;
    this.client = await ArbiterClient.connect({ address: this.temporalAddress, encryptionKeys });
    this.sampler = setInterval(() => void this.sampleCpu(), 2000);
  }

  /** One more orchestrator worker process, serving once this resolves (the pipeline bench's 1 → 2). */
  async addOrchestrator(): Promise<WorkerSlot> {
    if (!this.workerEnv) throw new Error('the stack has not started');
    const n = this.slots.filter((s) => s.role === 'orchestrator').length + 1;
    const slot = new WorkerSlot(
      `orchestrator-${n}`,
      'orchestrator',
      this.workerEnv,
      join(this.dataDir, 'logs'),
      this.opts.log,
    );
    this.slots.push(slot);
    await slot.start();
    return slot;
  }

  private async startEmbeddedDb(): Promise<string> {
    const port = await freePort();
    this.embedded = await startTsxProcess({
      name: 'embedded-db',
      script: join(PROJECT_ROOT, 'bench', 'stack', 'embedded-db-main.ts'),
      env: { ...process.env, BENCH_PG_DIR: join(this.dataDir, 'pg'), BENCH_PG_PORT: String(port) },
      ready: 'ready ',
      logPath: join(this.dataDir, 'logs', 'embedded-db.log'),
    });
    return `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
  }

  private async startServer(): Promise<void> {
    this.server = await startTemporalDevServer({
      dataDir: join(this.dataDir, 'temporal'),
      port: this.ports.temporal,
      uiPort: this.ports.ui,
    });
  }

  /** kill -9 the dev server, then start it again on the same SQLite file and ports. */
  async killServerAndRestart(downMs: number): Promise<{ pid: number | undefined; readyMs: number }> {
    if (this.opts.temporal) throw new Error('the stack did not start this Temporal server; it does not kill it');
    const pid = this.server.pid;
    await this.sampleCpu();
    if (pid) process.kill(pid, 'SIGKILL');
    // The port is free once the process is gone (and reaped by Node).
    for (let i = 0; i < 100 && pid && alive(pid); i++) await sleep(100);
    const started = Date.now();
    await sleep(downMs);
    await this.startServer();
    return { pid, readyMs: Date.now() - started };
  }

  /** Every live process of the stack, by role (for RSS and CPU). */
  processes(): { name: string; role: string; pid: number }[] {
    const found: { name: string; role: string; pid: number }[] = [];
    if (this.server?.pid) found.push({ name: 'temporal-dev-server', role: 'temporal', pid: this.server.pid });
    if (this.opts.temporal?.pid) found.push({ name: 'temporal-server', role: 'temporal', pid: this.opts.temporal.pid });
    if (this.embedded?.pid && !this.embedded.exited())
      found.push({ name: 'embedded-db', role: 'database', pid: this.embedded.pid });
    for (const s of this.slots)
      if (s.proc?.pid && !s.proc.exited()) found.push({ name: s.name, role: s.role, pid: s.proc.pid });
    return found;
  }

  async sampleCpu(): Promise<void> {
    for (const p of this.processes()) {
      const seconds = await cpuSeconds(p.pid);
      if (seconds !== undefined) this.cpuByPid.set(p.pid, { role: p.role, seconds });
    }
  }

  /** CPU seconds per role over every process the stack ran (killed ones up to their last sample), and the bench's. */
  cpuSecondsByRole(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { role, seconds } of this.cpuByPid.values()) out[role] = round((out[role] ?? 0) + seconds);
    const own = process.cpuUsage();
    out.bench = round((own.user + own.system) / 1e6);
    return out;
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    await this.sampleCpu().catch(() => undefined);
    await this.client?.close().catch(() => undefined);
    await Promise.allSettled(this.slots.map((s) => s.stop()));
    await this.proxy?.close().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await this.server?.stop().catch(() => undefined);
    await this.embedded?.stop(15_000);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
