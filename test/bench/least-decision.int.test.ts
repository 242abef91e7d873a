import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FreshCases } from '../../bench/pipeline/fresh';
import { leastAnsweredInProcess, leastDecisionVariant } from '../../bench/pipeline/least-decision';
import { startBenchWorkers } from '../../bench/pipeline/setup';
import { isolatedStackEnv } from '../../bench/stack-env';
import { loadHoldout } from '../../cli/demo-cases';
import { startStack, type Stack } from '../../cli/stack/stack';
import { DecisionOutcomeKey, PipelineKey, ScoreKey } from '../../core/search-attributes';

// bench/pipeline.ts's `least-decision` is the bound Arbiter's figures are read against: its row is
// only worth something if every call does the demo's work — four model calls and the record as
// local activities, the decision's row with its calls, the case vector, the search attributes.
let dataDir: string;
let stack: Stack;
let workers: { stop(): Promise<void> };
let fresh: FreshCases;
const run = randomBytes(4).toString('hex');

beforeAll(async () => {
  const isolated = await isolatedStackEnv('arbiter-least-', process.env.DATABASE_URL ?? '', {
    ARBITER_TASK_QUEUE: `least-${run}`,
  });
  dataDir = isolated.dataDir;
  stack = await startStack(isolated.env, () => undefined);
  workers = await startBenchWorkers(stack);
  fresh = new FreshCases(run, await loadHoldout());
}, 180_000);

afterAll(async () => {
  await workers?.stop();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('bench:pipeline least-decision', () => {
  it('scores, records, stores the vector and sets the search attributes of every case it is given', async () => {
    const variant = leastDecisionVariant(stack, fresh);
    const handedBefore = leastAnsweredInProcess();
    const outcomes = [await variant.call(), await variant.call(), await variant.call()];
    expect(outcomes.map((o) => o.eager)).toEqual([true, true, true]);
    // Answered at the record, as Arbiter's decisions are, not by waiting for the workflow's result.
    expect(leastAnsweredInProcess() - handedBefore).toBe(3);
    // FreshCases numbers every call of the run: these were least-<run>-0, -1 and -2.
    for (const n of [0, 1, 2]) {
      const workflowId = `decision-least-${run}-${n}`;
      const handle = stack.client.temporal.workflow.getHandle(workflowId);
      const decided = (await handle.result()) as { outcome: string; score: number };
      const row = await stack.store.getDecision(workflowId);
      expect(row?.pipeline.name).toBe('least-decision');
      expect(row?.outcome).toBe(decided.outcome);
      expect(row?.score).toBeCloseTo(decided.score, 12);
      expect(await stack.store.listModelCalls(workflowId)).toHaveLength(4);
      const vectors = await stack.pool.query('SELECT 1 FROM case_vectors WHERE namespace = $1 AND id = $2', [
        'demo',
        workflowId,
      ]);
      expect(vectors.rowCount).toBe(1);
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(5);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(PipelineKey)).toBe('least-decision');
      expect(attributes.get(DecisionOutcomeKey)).toBe(decided.outcome);
      expect(attributes.get(ScoreKey)).toBeCloseTo(decided.score, 12);
    }
  });
});
