import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCallModel } from '../../activities/call-model';
import type { ModelServices } from '../../admin/model-services';
import { PipelinesAdmin } from '../../admin/pipelines';
import type { Stack } from '../../cli/stack/stack';
import type { PinnedModel } from '../../core/model-ref';
import type { PipelineSpecInput } from '../../core/pipeline/spec';
import type { FloorActivities } from '../../workflows/floor';
import { workflowBundlerOptions } from '../../workers/workflow-bundle';
import { leastDecisionActivities, LEAST_QUEUE } from './least-decision';

/** The four demo scorers every variant runs. */
export const MODELS = [
  'phishing-gb:champion',
  'phishing-lr:challenger',
  'phishing-tfjs:champion',
  'phishing-iforest:champion',
];
/** The fan-out section's member: the cheapest model, so that what grows is orchestration. */
export const FANOUT_MEMBER = 'phishing-lr:challenger';
export const FLOOR_QUEUE = 'bench-floor';
export const NAIVE_QUEUE = 'bench-naive';

/**
 * A parallel step of `models` (one step id each, repeats allowed) and their mean. No `similarity`
 * section and, called without `rules`, no rule set: the pipeline and the record, nothing else.
 */
export function fanoutSpec(name: string, models: readonly string[]): PipelineSpecInput {
  const ids = models.map((_, i) => `m${i}`);
  return {
    name,
    steps: [
      { id: 'all', type: 'parallel', steps: models.map((model, i) => ({ id: ids[i] ?? '', type: 'model', model })) },
      { id: 'out', type: 'combine', method: 'mean', inputs: ids },
    ],
    output: 'out',
  };
}

export const fanoutName = (members: number) => `bench-fanout-lr-${members}`;

/** Stores the `arbiter` variant's pipeline (`bench-fanout`) and the fan-out section's. */
export async function applyBenchPipelines(
  models: Pick<ModelServices, 'pipelines' | 'registry'>,
  fanoutSizes: readonly number[],
): Promise<void> {
  const admin = new PipelinesAdmin(models.pipelines, models.registry);
  await admin.apply(fanoutSpec('bench-fanout', MODELS));
  for (const n of fanoutSizes) await admin.apply(fanoutSpec(fanoutName(n), Array<string>(n).fill(FANOUT_MEMBER)));
}

/** The four models pinned to versions, as the naive workflow and the in-process variant call them. */
export async function pinModels(stack: Stack): Promise<PinnedModel[]> {
  return Promise.all(
    MODELS.map(async (ref) => {
      const [name = '', alias = ''] = ref.split(':');
      const v = await stack.models.registry.resolve({ name, alias });
      return { name: v.name, version: v.version };
    }),
  );
}

/**
 * The floor's, the least decision's and the naive variant's workers, in this process. The floor's
 * and the least decision's share the stack's connection with the client: eager start only hands the
 * first workflow task to a worker on the very connection the start request went out on. Both bundle
 * their workflows as the orchestrator worker does (workflowBundlerOptions: workflow stack traces as
 * `stackTraces`, ARBITER_WORKFLOW_STACK_TRACES, off by default), so the floor is Temporal configured
 * as Arbiter configures it: with the SDK's defaults it captured a source-mapped stack for every
 * promise, which Arbiter's worker does not (~1.5 CPU ms of the floor's workflow thread a call,
 * profiled). The naive variant keeps the SDK's defaults: it is what a first implementation would run.
 */
export async function startBenchWorkers(
  stack: Stack,
  { stackTraces = false }: { stackTraces?: boolean } = {},
): Promise<{ stop(): Promise<void> }> {
  const shared = stack.client.temporal.connection;
  if (!(shared instanceof NativeConnection)) throw new Error('the stack client is not on a NativeConnection');
  const noop: FloorActivities = { noop: () => Promise.resolve() };
  const naiveConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const [floor, least, naive] = await Promise.all([
    Worker.create({
      connection: shared,
      taskQueue: FLOOR_QUEUE,
      workflowsPath: join(import.meta.dirname, '..', '..', 'workflows', 'floor.ts'),
      bundlerOptions: workflowBundlerOptions(stackTraces),
      activities: noop,
      dataConverter: stack.dataConverter,
    }),
    // The least decision is the floor's shape with the demo's work in it: configured as the floor.
    Worker.create({
      connection: shared,
      taskQueue: LEAST_QUEUE,
      workflowsPath: join(import.meta.dirname, '..', 'least-decision-workflow.ts'),
      bundlerOptions: workflowBundlerOptions(stackTraces),
      activities: await leastDecisionActivities(stack),
      dataConverter: stack.dataConverter,
    }),
    Worker.create({
      connection: naiveConnection,
      taskQueue: NAIVE_QUEUE,
      workflowsPath: join(import.meta.dirname, '..', 'naive-workflow.ts'),
      activities: { callModel: createCallModel({ runtime: stack.models.runtime }) },
      dataConverter: stack.dataConverter,
    }),
  ]);
  const runs = [floor.run(), least.run(), naive.run()];
  return {
    async stop() {
      floor.shutdown();
      least.shutdown();
      naive.shutdown();
      await Promise.all(runs);
      await naiveConnection.close();
    },
  };
}
