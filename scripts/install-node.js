// @ts-check
// Installs Arbiter's Node (scripts/node24.js) into .tools/node from npm's `node-<os>-<cpu>` package
// (Node's release binary, npm's integrity check) when the machine's Node is older. Only bin/node,
// its licence and package.json are unpacked: the headers are for building addons, which Arbiter
// does not do. Plain JS with no dependencies: it runs before `npm install`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installOnce } from './install-lock.js';
import { NODE_MAJOR, NODE_VERSION, TOOLS_NODE_DIR, toolsNodeVersion } from './node24.js';

const LOCK = `${TOOLS_NODE_DIR}.lock`;
const STALE_LOCK_MS = 10 * 60_000;

/** Thrown when Node 24 cannot be installed; its message says what to do. */
export class NodeSetupError extends Error {
  /** @param {string} message @param {ErrorOptions} [options] */
  constructor(message, options) {
    super(message, options);
    this.name = 'NodeSetupError';
  }
}

/** npm publishes Node's binaries for Linux only (macOS's stop at Node 18). */
function packageName() {
  return process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)
    ? `node-linux-${process.arch}`
    : undefined;
}

/** @param {string} pkg */
function install(pkg) {
  // Staged beside its destination: the final rename must not cross file systems.
  const work = mkdtempSync(`${TOOLS_NODE_DIR}.staging-`);
  try {
    // npm pack goes through npm's cache and checks the tarball against the registry's integrity.
    const out = execFileSync('npm', ['pack', `${pkg}@${NODE_VERSION}`, '--json', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [packed] = /** @type {{ filename: string }[]} */ (JSON.parse(out));
    if (!packed) throw new NodeSetupError(`npm pack ${pkg}@${NODE_VERSION} produced no tarball`);
    const staged = join(work, 'node');
    mkdirSync(staged);
    const members = ['package/bin/node', 'package/LICENSE', 'package/package.json'];
    execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', staged, '--strip-components=1', ...members]);
    const version = execFileSync(join(staged, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (version !== `v${NODE_VERSION}`) throw new NodeSetupError(`${pkg}@${NODE_VERSION} runs as ${version}`);
    rmSync(TOOLS_NODE_DIR, { recursive: true, force: true });
    renameSync(staged, TOOLS_NODE_DIR);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Makes sure Arbiter has a Node >= 24 to run on: this one, or .tools/node (installed here when it is
 * missing or another version). Returns the Node that runs Arbiter.
 * @param {(msg: string) => void} log
 * @returns {string}
 */
export function ensureNode(log) {
  if (Number(process.versions.node.split('.')[0]) >= NODE_MAJOR) return process.execPath;
  const pkg = packageName();
  if (!pkg) {
    throw new NodeSetupError(
      `Arbiter runs on Node ${NODE_MAJOR}; this is Node ${process.versions.node} on ${process.platform}-${process.arch}, ` +
        `for which npm has no Node package: install Node ${NODE_MAJOR} LTS (https://nodejs.org) and run this again`,
    );
  }
  const installed = () => toolsNodeVersion() === NODE_VERSION;
  mkdirSync(dirname(TOOLS_NODE_DIR), { recursive: true });
  installOnce({
    lock: LOCK,
    staleMs: STALE_LOCK_MS,
    installed,
    install: () => {
      log(`installing Node ${NODE_VERSION} into .tools/node (npm: ${pkg}); this Node is ${process.versions.node}`);
      try {
        install(pkg);
      } catch (err) {
        throw new NodeSetupError(`could not install Node ${NODE_VERSION} from npm (${pkg})`, { cause: err });
      }
    },
  });
  if (!installed()) throw new NodeSetupError(`Node ${NODE_VERSION} is not in .tools/node after installing it`);
  return join(TOOLS_NODE_DIR, 'bin', 'node');
}
