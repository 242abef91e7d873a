import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { installCliRuntime } from '../../cli/runtime';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { ensureTemporalCli } from '../../scripts/temporal-cli.js';
import { concatenateModules, PRELOADED_MODULES, WORKFLOWS_PATH } from '../../workers/workflow-bundle';

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
 * The workflow bundle, built once per suite.
 * @param workflowInterceptorModules what tracing adds (test/tracing.int.test.ts) @default none
 */
export function bundleWorkflows(workflowInterceptorModules: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: PRELOADED_MODULES,
    webpackConfigHook: concatenateModules,
    workflowInterceptorModules,
    logger: new DefaultLogger('WARN'),
  });
}
