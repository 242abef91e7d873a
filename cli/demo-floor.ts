import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ArbiterClient } from '../client';
import { percentile } from '../core/stats';
import type { floorWorkflow } from '../workflows/floor';

/**
 * Temporal's own floor on this stack, beside which the demo's latency means something: the median of
 * `runs` sequential floor workflows (workflows/floor.ts: one round of 4 no-op local activities),
 * each started eagerly (on the embedded stack the client shares the worker's connection) and
 * awaited, after a few to warm up. Milliseconds.
 */
export async function floorMedianMs(client: ArbiterClient, runs = 30): Promise<number> {
  const tag = randomBytes(4).toString('hex');
  const once = async (i: number): Promise<number> => {
    const started = performance.now();
    const handle = await client.temporal.workflow.start<typeof floorWorkflow>('floorWorkflow', {
      taskQueue: client.taskQueue,
      workflowId: `floor-${tag}-${i}`,
      args: [4],
      requestEagerStart: true,
    });
    await handle.result();
    return performance.now() - started;
  };
  for (let i = 0; i < 5; i++) await once(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once(i));
  return percentile(times, 50);
}
