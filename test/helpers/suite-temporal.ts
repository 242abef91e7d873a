// Apart from temporal.ts: scripts run outside vitest (test/replay/record.ts) import that one, and
// importing vitest there fails.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { createTestTemporal } from './temporal';

/**
 * One dev server (createTestTemporal) for the `describe` block this is called in, started before its
 * tests and torn down after them; the function returned gives it to the tests.
 */
export function suiteTemporal(options?: { registerSearchAttributes: boolean }): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await createTestTemporal(options);
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error("the suite's dev server did not start");
    return env;
  };
}
