#!/usr/bin/env node
// @ts-check
// Reads vitest JSON reports (one per run), prints each run's counts and the closing
// 'N passed, N failed' line, and fails when anything failed — or, with CI=true, when an
// integration test was skipped: in CI every real-server test must run. A `--check=NAME:EXIT`
// argument adds one more check that ran outside vitest (the chaos benches): exit 0 passes. .ci/run
// passes three reports: npm test on PGlite, on PostgreSQL, and npm run test:cluster (the real server).
import { existsSync, readFileSync } from 'node:fs';

/** @typedef {{ status: string, fullName: string, failureMessages?: string[] }} Assertion */
/** @typedef {{ name: string, status?: string, message?: string, assertionResults: Assertion[] }} FileResult */

let passed = 0;
let failed = 0;
let skipped = 0;
/** @type {string[]} */
const skippedIntegration = [];
/** @type {string[]} */
const why = [];

/**
 * The first lines of a failure, enough to tell what broke from CI's tail.
 * @param {string} text
 * @param {number} [n]
 */
function firstLines(text, n = 12) {
  return String(text)
    .split('\n')
    .slice(0, n)
    .map((l) => `    ${l}`)
    .join('\n');
}

for (const path of process.argv.slice(2)) {
  const check = /^--check=([^:]+):(\d+)$/.exec(path);
  if (check) {
    const ok = check[2] === '0';
    console.log(`${check[1]}: ${ok ? 'passed' : `failed (exit ${check[2]})`}`);
    if (ok) passed++;
    else failed++;
    continue;
  }
  if (!existsSync(path)) {
    console.log(`${path}: missing (the test run crashed before reporting)`);
    failed++;
    continue;
  }
  /** @type {{ testResults: FileResult[], numFailedTestSuites: number }} */
  const report = JSON.parse(readFileSync(path, 'utf8'));
  let p = 0;
  let f = report.numFailedTestSuites ?? 0; // a suite that crashed in beforeAll counts as a failure
  let s = 0;
  for (const file of report.testResults) {
    // A suite whose beforeAll threw has no failed test, only this message and skipped tests.
    if (file.status === 'failed' && file.message) why.push(`${path}: ${file.name}\n${firstLines(file.message)}`);
    for (const a of file.assertionResults) {
      if (a.status === 'passed') p++;
      else if (a.status === 'failed') {
        f++;
        why.push(`${path}: ${file.name} › ${a.fullName}\n${firstLines((a.failureMessages ?? []).join('\n'))}`);
      } else {
        s++;
        if (file.name.endsWith('.int.test.ts')) skippedIntegration.push(`${file.name}: ${a.fullName}`);
      }
    }
  }
  console.log(`${path}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
  skipped += s;
}

if (why.length > 0) console.log(`why they failed:\n${why.slice(0, 10).join('\n')}`);
if (process.env.CI === 'true' && skippedIntegration.length > 0) {
  console.log(`integration tests skipped in CI (not allowed):\n  ${skippedIntegration.join('\n  ')}`);
  failed += skippedIntegration.length;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
