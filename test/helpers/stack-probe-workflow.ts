// A workflow for test/workflow-stack-traces.int.test.ts, bundled on its own with the worker's preloads.
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const releaseProbe = defineSignal('releaseProbe');

/** Waits (the stack-trace query then shows where) until released, then returns a fresh error's stack. */
export async function stackProbe(): Promise<string> {
  let released = false;
  setHandler(releaseProbe, () => {
    released = true;
  });
  await condition(() => released);
  return new Error('probe').stack ?? '';
}
