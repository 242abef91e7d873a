// Temporal's own floor for Arbiter's shape: one round of no-op local activities in parallel, then
// return. Anything a decision costs above this is Arbiter's, not Temporal's: `arbiter demo` prints
// it beside its decisions' latency, and bench/pipeline.ts measures it beside every variant.
import { proxyLocalActivities } from '@temporalio/workflow';

/** The floor's only activity: does nothing, so that what is measured is the round trip. */
export interface FloorActivities {
  noop(): Promise<void>;
}

const { noop } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '5s' });

/**
 * Runs `members` no-op local activities at once (Arbiter's parallel step), then `rounds - 1` more
 * one at a time (a decision records itself only once its models have answered: `rounds` 2 is the
 * least any decision that keeps an audit trail can cost), and returns how many ran.
 */
export async function floorWorkflow(members: number, rounds = 1): Promise<number> {
  await Promise.all(Array.from({ length: members }, () => noop()));
  for (let round = 1; round < rounds; round++) await noop();
  return members + Math.max(rounds - 1, 0);
}
