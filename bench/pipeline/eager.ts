import type { Stack } from '../../cli/stack/stack';
import { percentile } from '../../core/stats';
import type { floorWorkflow } from '../../workflows/floor';
import type { FreshCases } from './fresh';
import { firstTaskWaitMs, timeline } from './history';
import { sequential } from './loops';
import { round } from './measure';
import { FLOOR_QUEUE } from './setup';
import { floorVariant } from './variants';

/** Whether the floor's eager start was eager: the server's answer, the history, and the latency it saved. */
export interface EagerCheck {
  /** `eagerlyStarted` on the probe's handle: the start response carried the first workflow task. */
  probeEagerlyStarted: boolean;
  /** First workflow task's scheduled → started wait, ms, with and without eager start. */
  firstTaskWaitMs: { eager: number | undefined; notEager: number | undefined };
  /** Sequential p50 of the floor started eagerly and through the task queue, calls interleaved. */
  seqP50Ms: { eager: number; notEager: number };
  eagerTimeline: { event: string; ms: number }[];
  notEagerTimeline: { event: string; ms: number }[];
}

async function probe(stack: Stack, fresh: FreshCases, eager: boolean) {
  const workflowId = fresh.next('floor-probe').caseId;
  const handle = await stack.client.temporal.workflow.start<typeof floorWorkflow>('floorWorkflow', {
    taskQueue: FLOOR_QUEUE,
    workflowId,
    args: [4],
    requestEagerStart: eager,
  });
  await handle.result();
  return { eagerlyStarted: handle.eagerlyStarted, events: await timeline(stack.client.temporal, workflowId) };
}

/** Probes one start of each kind, then times both kinds alternately so that load drifts hit both alike. */
export async function checkEager(
  stack: Stack,
  fresh: FreshCases,
  s: { warmUp: number; sequential: number },
): Promise<EagerCheck> {
  const eager = await probe(stack, fresh, true);
  const notEager = await probe(stack, fresh, false);
  const eagerly = floorVariant(stack, fresh, 4, true);
  const queued = floorVariant(stack, fresh, 4, false);
  let n = 0;
  const alternate = () => (n++ % 2 === 0 ? eagerly : queued).call();
  await sequential(alternate, s.warmUp * 2);
  const { latencies } = await sequential(alternate, s.sequential * 2);
  const p50Of = (parity: number) =>
    round(
      percentile(
        latencies.filter((_, i) => i % 2 === parity),
        50,
      ),
      2,
    );
  return {
    probeEagerlyStarted: eager.eagerlyStarted,
    firstTaskWaitMs: { eager: firstTaskWaitMs(eager.events), notEager: firstTaskWaitMs(notEager.events) },
    seqP50Ms: { eager: p50Of(0), notEager: p50Of(1) },
    eagerTimeline: eager.events,
    notEagerTimeline: notEager.events,
  };
}
