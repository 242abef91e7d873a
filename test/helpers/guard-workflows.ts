// Workflows for test/workflow-guard.int.test.ts (patches/@temporalio+worker+*.patch), bundled on their own.
import { proxyLocalActivities } from '@temporalio/workflow';

const { noop } = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '5s' });

/** Never yields: a synchronous loop, or an endless chain of microtasks (each drained before the call returns). */
export async function spinForever(kind: 'sync' | 'microtasks'): Promise<void> {
  let spins = 0;
  if (kind === 'sync') {
    while (spins >= 0) spins++;
  }
  while (spins >= 0) {
    await Promise.resolve();
    spins++;
  }
}

/** `rounds` local activities one after the other: one activation each, and one to start. */
export async function localRounds(rounds: number): Promise<number> {
  for (let i = 0; i < rounds; i++) await noop();
  return rounds;
}
