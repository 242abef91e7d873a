// One install at a time across processes (parallel test files, setup): a directory lock, waited on
// synchronously, taken over when its holder has been gone for longer than `staleMs`.
// Dependency-free, like every script here.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';

/** @param {number} ms */
function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `install` holding `lock` unless `installed()` already holds (checked again under the lock,
 * so a second process waiting here does not install twice).
 * @param {{ lock: string, staleMs: number, installed: () => boolean, install: () => void }} options
 */
export function installOnce({ lock, staleMs, installed, install }) {
  if (installed()) return;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > staleMs) rmSync(lock, { recursive: true, force: true });
      else sleepSync(500);
    }
  }
  try {
    if (!installed()) install();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
