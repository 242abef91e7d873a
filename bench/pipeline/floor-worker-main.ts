// The floor's worker as a process of its own, for bench/pipeline-cluster.ts: Temporal's floor with
// its workflow and activity tasks served out of the bench process, as Arbiter's decisions are there.
// Env: TEMPORAL_ADDRESS (and ARBITER_ENCRYPTION_KEYS, as the bench's client). Prints `floor worker running`.
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadEnv } from '../../config/env';
import { temporalTarget } from '../../config/temporal';
import { workflowBundlerOptions } from '../../workers/workflow-bundle';
import type { FloorActivities } from '../../workflows/floor';
import { FLOOR_QUEUE } from './setup';

async function main(): Promise<void> {
  const env = loadEnv();
  // The same data converter as BenchStack's client (its keys come from the same variable).
  const target = temporalTarget(env.TEMPORAL_ADDRESS, env.ARBITER_ENCRYPTION_KEYS);
  const connection = await NativeConnection.connect(target.connectionOptions);
  const noop: FloorActivities = { noop: () => Promise.resolve() };
  const worker = await Worker.create({
    connection,
    namespace: target.namespace,
    taskQueue: FLOOR_QUEUE,
    workflowsPath: join(import.meta.dirname, '..', '..', 'workflows', 'floor.ts'),
    // Bundled as the orchestrator worker bundles (see startBenchWorkers in ./setup).
    bundlerOptions: workflowBundlerOptions(env.ARBITER_WORKFLOW_STACK_TRACES),
    activities: noop,
    dataConverter: target.dataConverter,
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const running = worker.run();
  process.stdout.write(`floor worker running on ${FLOOR_QUEUE} (pid ${process.pid})\n`);
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`floor worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
