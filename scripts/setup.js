#!/usr/bin/env node
// @ts-check
// First step of `npm run demo` and `npm test` on a fresh clone: installs what is missing (npm
// dependencies, the Temporal CLI) and nothing else. Cheap when everything is there already.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMlserver } from './mlserver.js';
import { ensureTemporalCli } from './temporal-cli.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const log = (/** @type {string} */ msg) => console.error(`[setup] ${msg}`);

function npmDepsStale() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(ROOT, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

if (npmDepsStale()) {
  log('installing npm dependencies');
  // onnxruntime-node ships its CPU binary in the package; its install script would only fetch GPU extras.
  // 'install' rather than 'ci': this npm leaves other platforms' optional packages out of the lock file,
  // and 'ci' then refuses it. --no-save keeps the committed lock file as it is.
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
}

try {
  const cli = ensureTemporalCli(log);
  if (process.env.ARBITER_SETUP_VERBOSE) log(`Temporal CLI: ${cli}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  // With TEMPORAL_ADDRESS the demo uses that server and needs no CLI; the tests always do.
  if (!process.env.TEMPORAL_ADDRESS) process.exit(1);
}

// The test suite also talks to a real MLServer (Open Inference Protocol); the demo does not need it.
if (process.argv.includes('--test')) {
  try {
    ensureMlserver();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
