// Temporal's own floor for Arbiter's shape: one round of no-op local activities in parallel, then
// return. Anything a decision costs above this is Arbiter's, not Temporal's: `arbiter demo` prints
// it beside its decisions' latency, and bench/pipeline.ts measures it beside every variant.
import { proxyLocalActivities } from '@temporalio/workflow';

/** The floor's only activity: does nothing, so that what is measured is the round trip. */
export interface FloorActivities {
  noop(): Promise<void>;
}

const { noop } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '5s' });

/** Runs `members` no-op local activities at once (Arbiter's parallel step) and returns how many ran. */
export async function floorWorkflow(members: number): Promise<number> {
  await Promise.all(Array.from({ length: members }, () => noop()));
  return members;
}
