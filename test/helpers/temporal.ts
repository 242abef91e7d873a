import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { installCliRuntime } from '../../cli/runtime';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { ensureTemporalCli } from '../../scripts/temporal-cli.js';
import { PRELOADED_MODULES, WORKFLOWS_PATH } from '../../workers/workflow-bundle';

/**
 * A real Temporal dev server for one suite, from the pinned CLI (never the SDK's download), with
 * Arbiter's search attributes registered. Missing CLI fails the suite: integration tests never skip.
 */
export async function createTestTemporal(
  options: { registerSearchAttributes: boolean } = { registerSearchAttributes: true },
): Promise<TestWorkflowEnvironment> {
  installCliRuntime();
  const path = ensureTemporalCli();
  const searchAttributes = options.registerSearchAttributes ? SEARCH_ATTRIBUTES : [];
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path }, searchAttributes },
  });
}

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

/**
 * The workflow bundle, built once per suite.
 * @param workflowInterceptorModules what tracing adds (test/tracing.int.test.ts) @default none
 */
export function bundleWorkflows(workflowInterceptorModules: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: PRELOADED_MODULES,
    workflowInterceptorModules,
    logger: new DefaultLogger('WARN'),
  });
}
