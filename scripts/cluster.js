#!/usr/bin/env node
// @ts-check
// A real Temporal cluster on one machine: the server built from the Go module proxy
// (temporal-server.js) on a PostgreSQL of its own, schemas set up by the server's own SQL tool,
// SQL (advanced) visibility on the postgres12 plugin, the `default` namespace and Arbiter's
// search attributes. The dev server stays the embedded default; this is the production shape.
//   node scripts/cluster.js build | start [--dir D] | stop [--dir D] | status [--dir D]
// ARBITER_CLUSTER_PG=postgres://user:pw@host:port uses that PostgreSQL instead of starting one.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureTemporalCli } from './temporal-cli.js';
import { ensureTemporalServer, SERVER_DIR } from './temporal-server.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Where `start` keeps the cluster's config, logs and state when no --dir is given. */
export const DEFAULT_CLUSTER_DIR = join(ROOT, '.tools', 'cluster-run');
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const STATE = 'cluster.json';
/**
 * Dynamic config for a cluster on one host. Search attributes usable the moment they are added (the
 * workers register them too). One partition per task queue: partitions spread a queue over matching
 * hosts, and there is one here. With the default 4, the cluster suite's first burst of remote model
 * calls on fresh queues outlasted the 5 s a remote call waits for a pool (`Placement.NoWorker`) in 2
 * of 4 runs on a loaded host, in neither of 2 with one partition: a hint, not proof.
 */
const ONE_HOST = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
matching.numTaskqueueReadPartitions:
  - value: 1
matching.numTaskqueueWritePartitions:
  - value: 1
`;

/**
 * @typedef {object} ClusterState
 * @property {string} address the frontend, `127.0.0.1:<port>` (TEMPORAL_ADDRESS)
 * @property {string} namespace
 * @property {string} pgUrl the PostgreSQL the server uses (admin URL, no database)
 * @property {string} [pgData] set when the cluster started that PostgreSQL itself
 * @property {number} serverPid
 * @property {string} dir
 * @property {string} log the server's log
 * @property {string[]} databases the server's two databases on pgUrl
 */

/** @param {string} msg */
const defaultLog = (msg) => console.error(`[cluster] ${msg}`);

/** @param {number} port @returns {Promise<boolean>} */
function isFree(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/**
 * `n` distinct free ports below 32768: the server keeps membership ports in a PostgreSQL smallint
 * (`cluster_membership.rpc_port`), so the kernel's ephemeral range (32768+) makes it exit at start.
 * @param {number} n
 */
async function freePorts(n) {
  /** @type {Set<number>} */
  const ports = new Set();
  while (ports.size < n) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (!ports.has(port) && (await isFree(port))) ports.add(port);
  }
  return [...ports];
}

/** @param {string} cmd @param {string[]} args @param {{ env?: NodeJS.ProcessEnv, asPostgres?: boolean }} [opts] */
function run(cmd, args, opts = {}) {
  const asPg = opts.asPostgres && userInfo().uid === 0;
  const [file, argv] = asPg ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const out = spawnSync(file, argv, { encoding: 'utf8', env: opts.env ?? process.env, timeout: 120_000 });
  if (out.status !== 0)
    throw new Error(
      `${cmd.split('/').pop()} ${args.slice(0, 4).join(' ')} failed (exit ${out.status}): ${`${out.stderr}${out.stdout}`.trim().slice(-2000)}`,
    );
  return out.stdout;
}

/**
 * initdb + pg_ctl start in a temp dir (runuser -u postgres when root, as .ci/run does).
 * @param {number} port @returns {string} the data dir
 */
function startPostgres(port) {
  if (!existsSync(join(PG_BIN, 'postgres')))
    throw new Error(`no PostgreSQL in ${PG_BIN} (apt-get install postgresql, or set PG_BIN)`);
  const data = mkdtempSync(join(tmpdir(), 'arbiter-cluster-pg-'));
  if (userInfo().uid === 0) chownSync(data, ...pgOwner());
  run(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres'], { asPostgres: true });
  const opts = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;
  run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(data, 'server.log'), '-w', '-o', opts, 'start'], {
    asPostgres: true,
  });
  return data;
}

/** @returns {[number, number]} */
function pgOwner() {
  const id = (/** @type {string} */ flag) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return [id('-u'), id('-g')];
}

/** @param {string} data */
function stopPostgres(data) {
  spawnSync(userInfo().uid === 0 ? 'runuser' : join(PG_BIN, 'pg_ctl'), [
    ...(userInfo().uid === 0 ? ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl')] : []),
    ...['-D', data, '-m', 'fast', 'stop'],
  ]);
  rmSync(data, { recursive: true, force: true });
}

/**
 * create, setup-schema v0.0, update-schema to the newest versioned dir: the server's own procedure.
 * @param {string} sqlTool @param {string} schemaDir @param {URL} pg @param {string} db @param {string} kind
 */
function setupSchema(sqlTool, schemaDir, pg, db, kind) {
  const conn = [
    '--plugin',
    'postgres12',
    '--ep',
    pg.hostname,
    '-p',
    pg.port || '5432',
    '-u',
    decodeURIComponent(pg.username || 'postgres'),
  ];
  const env = { ...process.env, SQL_PASSWORD: decodeURIComponent(pg.password) };
  run(sqlTool, [...conn, '--db', db, 'create'], { env });
  run(sqlTool, [...conn, '--db', db, 'setup-schema', '-v', '0.0'], { env });
  run(sqlTool, [...conn, '--db', db, 'update-schema', '-d', join(schemaDir, 'postgresql', 'v12', kind, 'versioned')], {
    env,
  });
}

/**
 * On a PostgreSQL the cluster did not start, its two databases go with it (best effort: the tool may be gone).
 * @param {ClusterState} state
 */
function dropDatabases(state) {
  const pg = new URL(state.pgUrl);
  const conn = ['--plugin', 'postgres12', '--ep', pg.hostname, '-p', pg.port || '5432'];
  const env = {
    ...process.env,
    SQL_USER: decodeURIComponent(pg.username),
    SQL_PASSWORD: decodeURIComponent(pg.password),
  };
  for (const db of state.databases)
    spawnSync(join(SERVER_DIR, 'sql'), [...conn, '--db', db, 'drop', '-f'], { env, timeout: 60_000 });
}

/**
 * @param {string} text @param {string} from @param {string} to
 * Every occurrence, and loudly when there is none: a changed template must not start a half-configured server.
 */
function sub(text, from, to) {
  if (!text.includes(from)) throw new Error(`the server's config template no longer contains '${from}'`);
  return text.split(from).join(to);
}

/**
 * The shipped development-postgres12.yaml with this cluster's ports, PostgreSQL and databases.
 * @param {string} template @param {{ ports: number[], pg: URL, databases: string[], dynamicConfig: string }} o
 */
export function clusterConfig(template, { ports, pg, databases, dynamicConfig }) {
  const [frontend, frontendM, http, matching, matchingM, history, historyM, worker, workerM, pprof, metrics] = ports;
  let c = template;
  c = sub(c, '"127.0.0.1:5432"', `"${pg.hostname}:${pg.port || 5432}"`);
  c = sub(c, 'user: "temporal"', `user: "${decodeURIComponent(pg.username || 'postgres')}"`);
  c = sub(c, 'password: "temporal"', `password: "${decodeURIComponent(pg.password)}"`);
  c = sub(c, 'databaseName: "temporal_visibility"', `databaseName: "${databases[1]}"`);
  c = sub(c, 'databaseName: "temporal"', `databaseName: "${databases[0]}"`);
  for (const [from, to] of /** @type {[string, number | undefined][]} */ ([
    ['grpcPort: 7233', frontend],
    ['membershipPort: 6933', frontendM],
    ['httpPort: 7243', http],
    ['grpcPort: 7235', matching],
    ['membershipPort: 6935', matchingM],
    ['grpcPort: 7234', history],
    ['membershipPort: 6934', historyM],
    ['grpcPort: 7239', worker],
    ['membershipPort: 6939', workerM],
    ['port: 7936', pprof],
    ['"127.0.0.1:8000"', metrics],
    ['"localhost:7233"', frontend],
  ]))
    c = sub(c, from, from.replace(/\d{4}/, String(to)));
  c = sub(c, 'level: info', 'level: warn');
  // Archival stays as shipped: enabled for the cluster, off for every namespace (namespaceDefaults).
  return sub(c, '"config/dynamicconfig/development-sql.yaml"', `"${dynamicConfig}"`);
}

/** @param {string} cli @param {string[]} args */
function temporal(cli, args) {
  return spawnSync(cli, args, { encoding: 'utf8', timeout: 30_000 });
}

/** Arbiter's search attributes as `--name N --type T` pairs, from core/ (the one list). */
async function searchAttributeArgs() {
  const { register } = await import('tsx/esm/api');
  register();
  const { searchAttributeCliArgs } = /** @type {{ searchAttributeCliArgs: () => string[] }} */ (
    await import('../core/search-attributes.ts')
  );
  return searchAttributeCliArgs()
    .filter((a) => a !== '--search-attribute')
    .flatMap((pair) => ['--name', pair.split('=')[0] ?? '', '--type', pair.split('=')[1] ?? '']);
}

/**
 * @param {() => { ok: boolean, why: string }} attempt @param {number} timeoutMs @param {string} what
 * @param {() => void} [alive] throws when the server died
 */
async function until(attempt, timeoutMs, what, alive = () => undefined) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive();
    const { ok, why } = attempt();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} not done within ${timeoutMs} ms: ${why.trim().slice(-500)}`);
    await sleep(500);
  }
}

/**
 * Builds (cached), starts PostgreSQL (unless `pgUrl`), sets up the schemas, starts the server,
 * waits for health, creates the namespace and search attributes. The processes are detached: they
 * outlive this one until `stopCluster(dir)`.
 * @param {{ dir?: string, pgUrl?: string, namespace?: string, log?: (msg: string) => void }} [opts]
 *   dir @default .tools/cluster-run; pgUrl @default ARBITER_CLUSTER_PG, else a PostgreSQL of its own;
 *   namespace @default 'default'
 * @returns {Promise<ClusterState>}
 */
export async function startCluster(opts = {}) {
  const log = opts.log ?? defaultLog;
  const dir = opts.dir ?? DEFAULT_CLUSTER_DIR;
  const namespace = opts.namespace ?? 'default';
  if (existsSync(join(dir, STATE)))
    throw new Error(`a cluster is recorded in ${dir}: stop it first (node scripts/cluster.js stop)`);
  await mkdir(dir, { recursive: true });
  const started = Date.now();
  const built = ensureTemporalServer(log);
  const cli = ensureTemporalCli();
  const ports = await freePorts(12);
  const given = opts.pgUrl ?? process.env.ARBITER_CLUSTER_PG;
  const pgData = given ? undefined : startPostgres(/** @type {number} */ (ports[11]));
  const pg = new URL(given ?? `postgres://postgres@127.0.0.1:${ports[11]}`);
  // A shared PostgreSQL gets databases of this cluster's own; a private one the template's names.
  const suffix = given ? `_${randomBytes(3).toString('hex')}` : '';
  const databases = [`temporal${suffix}`, `temporal_visibility${suffix}`];
  /** @type {ClusterState} */
  const state = {
    address: `127.0.0.1:${ports[0]}`,
    namespace,
    pgUrl: pg.toString(),
    pgData,
    serverPid: 0,
    dir,
    log: join(dir, 'temporal.log'),
    databases,
  };
  await writeFile(join(dir, STATE), JSON.stringify(state, null, 2));
  try {
    setupSchema(built.sqlTool, join(built.dir, 'schema'), pg, databases[0] ?? '', 'temporal');
    setupSchema(built.sqlTool, join(built.dir, 'schema'), pg, databases[1] ?? '', 'visibility');
    log(`schemas ready on ${pg.host} (${databases.join(', ')})`);
    const shipped = await readFile(join(built.dir, 'config', 'dynamicconfig', 'development-sql.yaml'), 'utf8');
    const dynamicConfig = join(dir, 'dynamicconfig.yaml');
    await writeFile(dynamicConfig, `${sub(shipped, 'localhost:7243', `localhost:${ports[2]}`)}\n${ONE_HOST}`);
    const template = await readFile(join(built.dir, 'config', 'development-postgres12.yaml'), 'utf8');
    const configFile = join(dir, 'temporal.yaml');
    await writeFile(configFile, clusterConfig(template, { ports, pg, databases, dynamicConfig }));
    const out = openSync(state.log, 'w');
    const child = spawn(built.server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    state.serverPid = child.pid ?? 0;
    await writeFile(join(dir, STATE), JSON.stringify(state, null, 2));
    const alive = () => {
      if (!isAlive(state.serverPid))
        throw new Error(`the Temporal server exited at start; see ${state.log}:\n${tailOf(state.log)}`);
    };
    const at = ['--address', state.address];
    await until(() => health(cli, state.address), 120_000, 'server health', alive);
    const ns = ['--namespace', namespace, ...at];
    if (temporal(cli, ['operator', 'namespace', 'describe', ...ns]).status !== 0) {
      const created = temporal(cli, ['operator', 'namespace', 'create', '--retention', '72h', ...ns]);
      if (created.status !== 0) throw new Error(`namespace create failed: ${created.stderr}`);
    }
    const attrs = await searchAttributeArgs();
    await until(
      () => {
        const r = temporal(cli, ['operator', 'search-attribute', 'create', ...attrs, ...ns]);
        return { ok: r.status === 0 || /already exists/i.test(r.stderr), why: r.stderr };
      },
      60_000,
      'search attributes',
      alive,
    );
    // Visibility answers for the namespace (not just the frontend): what a worker and client need.
    await until(
      () => {
        const r = temporal(cli, ['workflow', 'count', ...ns]);
        return { ok: r.status === 0, why: r.stderr };
      },
      60_000,
      'visibility',
      alive,
    );
    log(
      `Temporal server ${state.address} (namespace ${namespace}) up in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    return state;
  } catch (err) {
    await stopCluster(dir);
    throw err;
  }
}

/** @param {string} cli @param {string} address */
function health(cli, address) {
  const r = temporal(cli, ['operator', 'cluster', 'health', '--address', address]);
  return { ok: r.status === 0 && /SERVING/.test(r.stdout), why: `${r.stdout}${r.stderr}` };
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    return pid > 0 && (process.kill(pid, 0), true);
  } catch {
    return false;
  }
}

/** @param {string} file */
function tailOf(file) {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
}

/**
 * @param {string} [dir] @default .tools/cluster-run
 * @returns {ClusterState | undefined}
 */
export function clusterState(dir = DEFAULT_CLUSTER_DIR) {
  const file = join(dir, STATE);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/** SIGTERM the server (SIGKILL after 20 s), stop its PostgreSQL, forget the state. Safe to call twice. */
export async function stopCluster(dir = DEFAULT_CLUSTER_DIR) {
  const state = clusterState(dir);
  if (!state) return;
  if (isAlive(state.serverPid)) {
    process.kill(state.serverPid, 'SIGTERM');
    for (let i = 0; i < 200 && isAlive(state.serverPid); i++) await sleep(100);
    if (isAlive(state.serverPid)) process.kill(state.serverPid, 'SIGKILL');
  }
  if (state.pgData) stopPostgres(state.pgData);
  else dropDatabases(state);
  rmSync(join(dir, STATE), { force: true });
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const dirFlag = rest.indexOf('--dir');
  const dir = dirFlag >= 0 && rest[dirFlag + 1] ? resolve(rest[dirFlag + 1] ?? '') : DEFAULT_CLUSTER_DIR;
  if (command === 'build') {
    console.log(ensureTemporalServer().server);
  } else if (command === 'start') {
    const s = await startCluster({ dir });
    console.log(
      `TEMPORAL_ADDRESS=${s.address} TEMPORAL_NAMESPACE=${s.namespace}  # PostgreSQL ${s.pgUrl}; logs in ${s.log}`,
    );
  } else if (command === 'stop') {
    await stopCluster(dir);
  } else if (command === 'status') {
    const s = clusterState(dir);
    if (!s) return void (console.log(`no cluster recorded in ${dir}`), (process.exitCode = 3));
    const h = health(ensureTemporalCli(), s.address);
    console.log(
      `${h.ok ? 'serving' : 'not serving'} at ${s.address} (server pid ${s.serverPid}${isAlive(s.serverPid) ? '' : ', gone'}; PostgreSQL ${s.pgUrl})`,
    );
    if (!h.ok) process.exitCode = 1;
  } else {
    console.error('usage: node scripts/cluster.js build | start | stop | status [--dir D]');
    process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
