// @ts-check
// The real Temporal server (not the dev server) and its SQL tool, built from the Go module proxy
// into .tools/temporal-server/v<version>/ with the schemas and config templates the module ships.
// Plain JS with no dependencies, like temporal-cli.js and kafka.js.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installOnce } from './install-lock.js';

/** The server release; its go.mod needs a newer Go than Debian's, which GOTOOLCHAIN fetches. */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
const GO_TOOLCHAIN = 'go1.26.10';
const MODULE = 'go.temporal.io/server';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HOME = join(ROOT, '.tools', 'temporal-server');
/** Everything of one version: `server`, `sql` (temporal-sql-tool), `schema/`, `config/`. */
export const SERVER_DIR = join(HOME, `v${TEMPORAL_SERVER_VERSION}`);
const MARKER = join(SERVER_DIR, '.complete');

/** Thrown when the server cannot be built; its message says what to do. */
export class TemporalServerBuildError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'TemporalServerBuildError';
  }
}

/** @param {string[]} args @param {NodeJS.ProcessEnv} env */
function go(args, env) {
  const run = spawnSync('go', args, { encoding: 'utf8', env, timeout: 60 * 60_000 });
  if (run.error)
    throw new TemporalServerBuildError(`'go' did not run (${run.error.message}): apt-get install golang-go`);
  if (run.status !== 0) {
    const tail = `${run.stdout}${run.stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new TemporalServerBuildError(`go ${args.slice(0, 2).join(' ')} failed (exit ${run.status}):\n${tail}`);
  }
  return run.stdout.trim();
}

/** @param {(msg: string) => void} log */
function build(log) {
  const env = { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOFLAGS: '-mod=mod' };
  const staging = `${SERVER_DIR}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`building Temporal server ${TEMPORAL_SERVER_VERSION} with ${GO_TOOLCHAIN} (cold: ~9 CPU-minutes)`);
  const started = Date.now();
  const pkgs = ['cmd/server', 'cmd/tools/sql'].map((p) => `${MODULE}/${p}@v${TEMPORAL_SERVER_VERSION}`);
  go(['install', ...pkgs], { ...env, GOBIN: staging });
  // The schemas and templates come from the module itself, so a cleaned module cache costs nothing later.
  const modDir = join(go(['env', 'GOMODCACHE'], env), `${MODULE}@v${TEMPORAL_SERVER_VERSION}`);
  cpSync(join(modDir, 'schema', 'postgresql'), join(staging, 'schema', 'postgresql'), { recursive: true });
  cpSync(join(modDir, 'config'), join(staging, 'config'), { recursive: true });
  writeFileSync(join(staging, '.complete'), TEMPORAL_SERVER_VERSION);
  rmSync(SERVER_DIR, { recursive: true, force: true });
  renameSync(staging, SERVER_DIR);
  log(`Temporal server built in ${Math.round((Date.now() - started) / 1000)} s into ${SERVER_DIR}`);
}

/**
 * The directory of the built server, building it first when this version is not there yet.
 * @param {(msg: string) => void} [log]
 * @returns {{ dir: string, server: string, sqlTool: string }}
 */
export function ensureTemporalServer(log = (msg) => console.error(`[cluster] ${msg}`)) {
  installOnce({
    lock: `${HOME}.lock`,
    staleMs: 60 * 60_000,
    installed: () => existsSync(MARKER),
    install: () => build(log),
  });
  return { dir: SERVER_DIR, server: join(SERVER_DIR, 'server'), sqlTool: join(SERVER_DIR, 'sql') };
}
