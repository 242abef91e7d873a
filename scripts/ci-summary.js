#!/usr/bin/env node
// @ts-check
// Reads vitest JSON reports (one per run), prints each run's counts and the closing
// 'N passed, N failed' line, and fails when anything failed — or, with CI=true, when an
// integration test was skipped: in CI every real-server test must run. A `--check=NAME:EXIT`
// argument adds one more check that ran outside vitest (the chaos benches): exit 0 passes. .ci/run
// passes three reports: npm test on PGlite, on PostgreSQL, and npm run test:cluster (the real server).
import { existsSync, readFileSync } from 'node:fs';

/** @typedef {{ status: string, fullName: string }} Assertion */
/** @typedef {{ name: string, assertionResults: Assertion[] }} FileResult */

let passed = 0;
let failed = 0;
let skipped = 0;
/** @type {string[]} */
const skippedIntegration = [];

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
    for (const a of file.assertionResults) {
      if (a.status === 'passed') p++;
      else if (a.status === 'failed') f++;
      else {
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

if (process.env.CI === 'true' && skippedIntegration.length > 0) {
  console.log(`integration tests skipped in CI (not allowed):\n  ${skippedIntegration.join('\n  ')}`);
  failed += skippedIntegration.length;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
