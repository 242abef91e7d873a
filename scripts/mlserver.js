#!/usr/bin/env node
// @ts-check
// Finds MLServer (the Open Inference Protocol server the kserve-v2 tests run against), installing
// it into a project venv from PyPI when missing. Plain JS with no dependencies, like temporal-cli.js.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installOnce } from './install-lock.js';

/**
 * Pinned so the committed demo/models/phishing-lr/model.joblib (scikit-learn 1.9.1, joblib 1.6.0,
 * numpy 2.4.6) unpickles without an InconsistentVersionWarning, and MLServer's answers are stable.
 */
export const MLSERVER_PINS = Object.freeze([
  'mlserver==1.7.1',
  'mlserver-sklearn==1.7.1',
  'scikit-learn==1.9.1',
  'joblib==1.6.0',
  'numpy==2.4.6',
]);

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const VENV = join(ROOT, '.tools', 'mlserver-venv');
const BIN = join(VENV, 'bin', 'mlserver');
/** Written after a verified install; its content is the pins, so changing a pin reinstalls. */
const MARKER = join(VENV, '.arbiter-pins');
const LOCK = `${VENV}.lock`;
const PICKLE = join(ROOT, 'demo', 'models', 'phishing-lr', 'model.joblib');
const STALE_LOCK_MS = 15 * 60_000;

// Loads the committed pickle with version warnings as errors: a mismatch must fail setup, not skew scores.
const VERIFY = `
import sys, warnings
from sklearn.exceptions import InconsistentVersionWarning
warnings.simplefilter("error", InconsistentVersionWarning)
import joblib, mlserver, mlserver_sklearn
joblib.load(sys.argv[1])
`;

/** @param {string} name */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function installed() {
  return existsSync(BIN) && existsSync(MARKER) && readFileSync(MARKER, 'utf8') === MLSERVER_PINS.join('\n');
}

/** Thrown when MLServer cannot be installed; its message says what failed and what to do. */
export class MlserverMissingError extends Error {
  /** @param {string} reason */
  constructor(reason) {
    super(
      `MLServer could not be installed into .tools/mlserver-venv: ${reason}\n` +
        `It needs python3 (3.9-3.12) with venv and pip access to PyPI. By hand:\n` +
        `  python3 -m venv .tools/mlserver-venv && .tools/mlserver-venv/bin/pip install ${MLSERVER_PINS.join(' ')}`,
    );
    this.name = 'MlserverMissingError';
  }
}

/** @param {(msg: string) => void} log */
function install(log) {
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new MlserverMissingError('no python3 on PATH');
  log(`installing ${MLSERVER_PINS.join(' ')} into .tools/mlserver-venv (PyPI)`);
  const started = Date.now();
  try {
    rmSync(MARKER, { force: true });
    if (!existsSync(join(VENV, 'bin', 'pip'))) execFileSync(python, ['-m', 'venv', VENV], { stdio: 'inherit' });
    const pip = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', ...MLSERVER_PINS];
    execFileSync(join(VENV, 'bin', 'python'), pip, { stdio: 'inherit' });
  } catch (err) {
    throw new MlserverMissingError(err instanceof Error ? err.message : String(err));
  }
  const check = spawnSync(join(VENV, 'bin', 'python'), ['-c', VERIFY, PICKLE], { encoding: 'utf8', timeout: 120_000 });
  if (check.status !== 0)
    throw new MlserverMissingError(`the installed packages cannot load ${PICKLE}:\n${check.stderr}`);
  writeFileSync(MARKER, MLSERVER_PINS.join('\n'));
  log(`MLServer installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * The path of the `mlserver` executable, installing the pinned packages first when they are not
 * there yet. Idempotent: once installed it only reads a marker file.
 * @param {(msg: string) => void} [log]
 * @returns {string}
 */
export function ensureMlserver(log = (msg) => console.error(`[setup] ${msg}`)) {
  mkdirSync(join(ROOT, '.tools'), { recursive: true });
  installOnce({ lock: LOCK, staleMs: STALE_LOCK_MS, installed, install: () => install(log) });
  return BIN;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureMlserver());
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
