/**
 * Turns stack capture off in the workflow sandbox: the worker preloads this module into its reusable
 * V8 context (workers/workflow-bundle.ts) unless ARBITER_WORKFLOW_STACK_TRACES=true.
 *
 * Why: for the Temporal UI's "Stack Trace" tab (the `__stack_trace` query), the SDK captures a
 * source-mapped stack for every promise a workflow makes, ~100 a decision: 4–6 ms of the worker's
 * CPU a decision, the largest cost left in the workflow thread (bench/README.md). With V8's limit
 * at 0 the capture is nearly free. What it costs: that tab shows no frames, and an error thrown in
 * workflow code carries its message without frames. Arbiter's workflows are ours, not the user's
 * (pipelines are data), their failures are typed (core/failures.ts), and a workflow task that failed
 * shows its frames when its history is replayed with a bundle that keeps them (the tests' bundle).
 *
 * The SDK freezes the context's globals right after the preload, so the limit holds for every run
 * and workflow code cannot change it.
 */
Error.stackTraceLimit = 0;

// A module, not a global script (isolatedModules); nothing imports it, the preload evaluates it.
export {};
