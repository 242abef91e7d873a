import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServices } from '../../admin/model-services';
import { PipelinesAdmin } from '../../admin/pipelines';
import { loadHoldout, type DemoCase } from '../../cli/demo-cases';
import { BatchClient } from '../../client/batch';
import { modelTaskQueue } from '../../core/pipeline/types';
import { MODELS_DIR } from '../helpers/models';
import { identityPid, startFleet, type Fleet } from './fleet';

// The real Temporal server on PostgreSQL, two orchestrator worker processes and two model-pool
// processes: work spreads over both, and survives one of them being killed.
let fleet: Fleet;
let holdout: DemoCase[];
const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const PIPELINE = 'cluster-split';
const REMOTE_QUEUE = modelTaskQueue('phishing-iforest');

beforeAll(async () => {
  [fleet, holdout] = await Promise.all([startFleet('cluster'), loadHoldout()]);
  const services = createModelServices(fleet.db, MODELS_DIR);
  // A local model on the orchestrators and a remote one on the pools: both kinds of process matter.
  await new PipelinesAdmin(services.pipelines, services.registry).apply({
    name: PIPELINE,
    steps: [
      {
        id: 'both',
        type: 'parallel',
        steps: [
          { id: 'gb', type: 'model', model: 'phishing-gb:champion', timeoutMs: 5000 },
          { id: 'anomaly', type: 'model', model: 'phishing-iforest:champion', placement: 'remote', timeoutMs: 5000 },
        ],
      },
      { id: 'out', type: 'combine', method: 'mean', inputs: ['gb', 'anomaly'] },
    ],
    output: 'out',
  });
  await services.close();
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
});

const caseOf = (i: number, prefix: string) => ({
  caseId: `${prefix}-${i}`,
  input: (holdout[i % holdout.length] as DemoCase).input,
});

/** Who worked on a workflow: the pids of the workers that completed its workflow tasks and ran its activities on `queue`. */
async function workersOf(handle: WorkflowHandle, queue: string) {
  const events = (await handle.fetchHistory()).events ?? [];
  const orchestrators = new Set<number>();
  const scheduledOnQueue = new Set<string>();
  const pools = new Set<number>();
  let closed = false;
  for (const e of events) {
    if (e.workflowExecutionCompletedEventAttributes || e.workflowExecutionFailedEventAttributes) closed = true;
    const wft = e.workflowTaskCompletedEventAttributes?.identity;
    if (wft) orchestrators.add(identityPid(wft));
    if (e.activityTaskScheduledEventAttributes?.taskQueue?.name === queue) scheduledOnQueue.add(String(e.eventId));
    const started = e.activityTaskStartedEventAttributes;
    if (started && scheduledOnQueue.has(String(started.scheduledEventId))) pools.add(identityPid(started.identity));
  }
  return { orchestrators, pools, closed };
}

async function recordedPerCase(caseIds: string[]): Promise<Map<string, number>> {
  const { rows } = await fleet.db.query<{ case_id: string; n: string }>(
    'SELECT case_id, count(*) AS n FROM decisions WHERE case_id = ANY($1) GROUP BY case_id',
    [caseIds],
  );
  return new Map(rows.map((r) => [r.case_id, Number(r.n)]));
}

const pidsOf = (slots: Fleet['orchestrators']) => slots.map((s) => s.proc?.pid ?? -1);

describe('Arbiter on a real Temporal cluster with 2 orchestrator and 2 model-pool processes', () => {
  it('spreads decisions over both orchestrator workers and remote model calls over both pools', async () => {
    const prefix = uniq('spread');
    const orchestrators = new Set<number>();
    const pools = new Set<number>();
    const caseIds: string[] = [];
    // Rounds of 24 concurrent decisions until each process has taken work (bounded: 6 rounds).
    for (let round = 0; round < 6; round++) {
      const batch = Array.from({ length: 24 }, (_, i) => caseOf(round * 24 + i, prefix));
      const decisions = await Promise.all(batch.map((c) => fleet.client.decide(c, { pipeline: PIPELINE })));
      caseIds.push(...batch.map((c) => c.caseId));
      for (const d of decisions) {
        expect(d.models.map((m) => [m.step, m.status])).toEqual(
          expect.arrayContaining([
            ['gb', 'ok'],
            ['anomaly', 'ok'],
          ]),
        );
        const seen = await workersOf(fleet.client.temporal.workflow.getHandle(d.workflowId), REMOTE_QUEUE);
        seen.orchestrators.forEach((p) => orchestrators.add(p));
        seen.pools.forEach((p) => pools.add(p));
      }
      if (
        pidsOf(fleet.orchestrators).every((p) => orchestrators.has(p)) &&
        pidsOf(fleet.pools).every((p) => pools.has(p))
      )
        break;
    }
    expect([...orchestrators].sort()).toEqual(pidsOf(fleet.orchestrators).sort());
    expect([...pools].sort()).toEqual(pidsOf(fleet.pools).sort());
    const recorded = await recordedPerCase(caseIds);
    expect(caseIds.filter((c) => recorded.get(c) !== 1)).toEqual([]);
  });

  it('waits for a reviewer and takes the verdict (the review update) on whichever worker holds the workflow', async () => {
    const decision = await fleet.client.decide(caseOf(0, uniq('review')), {
      model: 'phishing-gb:champion',
      thresholds: { decline: 1, review: 0 },
    });
    expect(decision).toMatchObject({ outcome: 'review', review: { state: 'pending' } });
    const verdict = await fleet.client.review(decision.decisionId, { action: 'decline', reviewer: 'ana' });
    expect(verdict).toMatchObject({ state: 'declined', finalOutcome: 'decline', reviewer: 'ana' });
    const final = (await fleet.client.temporal.workflow.getHandle(decision.workflowId).result()) as { outcome: string };
    expect(final.outcome).toBe('decline');
    const { rows } = await fleet.db.query<{ review_state: string; reviewer: string }>(
      'SELECT review_state, reviewer FROM decisions WHERE decision_id = $1',
      [decision.decisionId],
    );
    expect(rows[0]).toEqual({ review_state: 'declined', reviewer: 'ana' });
  });

  it('decides a batch from a file across continue-as-new', async () => {
    const prefix = uniq('batch');
    const cases = Array.from({ length: 60 }, (_, i) => caseOf(i, prefix));
    const path = join(fleet.dir, `${prefix}.ndjson`);
    await writeFile(path, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const batches = new BatchClient(fleet.client.temporal, fleet.taskQueue);
    const batchId = uniq('b');
    await batches.start({
      batchId,
      source: { kind: 'file', path },
      pipeline: PIPELINE,
      chunkSize: 20,
      chunksPerRun: 2,
    });
    const done = await batches.wait(batchId, () => undefined, 250);
    expect(done).toMatchObject({ state: 'done', total: 60, decided: 60, rejected: 0, failed: 0, chunks: 3, runs: 2 });
  });

  it('decides every case exactly once when an orchestrator worker is killed with SIGKILL mid-flight', async () => {
    const prefix = uniq('kill');
    const cases = Array.from({ length: 40 }, (_, i) => caseOf(i, prefix));
    const [victim] = fleet.orchestrators;
    const victimPid = victim?.proc?.pid ?? -1;
    // Every case goes to review and waits 10 s for nobody, then approves: each workflow is still open
    // after its first tasks, so the ones the victim holds have work left when it dies.
    const options = {
      pipeline: PIPELINE,
      thresholds: { decline: 1, review: 0 },
      review: { timeoutMs: 10_000, onTimeout: 'approve' as const },
    };
    const started = await Promise.all(cases.map((c) => fleet.client.startDecision(c, options)));
    const handles = started.map((s) => fleet.client.temporal.workflow.getHandle(s.decisionId));
    // Killed once it holds one of them still open (the test's timeout bounds the wait). Open: on a
    // slow machine a look at all 40 histories took long enough that the one found had finished its
    // review wait on the victim already, and nobody else had anything left to finish (CI, once).
    let held: WorkflowHandle | undefined;
    while (!held)
      for (const h of handles) {
        const seen = await workersOf(h, REMOTE_QUEUE);
        if (seen.orchestrators.has(victimPid) && !seen.closed) {
          held = h;
          break;
        }
      }
    // kill -9, then started again a second later, as a supervisor would.
    const restarted = victim?.kill9AndRestart(1000);
    const results = await Promise.all(handles.map((h) => h.result() as Promise<{ outcome: string }>));
    expect(results.map((r) => r.outcome)).toEqual(cases.map(() => 'approve'));
    const recorded = await recordedPerCase(cases.map((c) => c.caseId));
    expect(cases.filter((c) => recorded.get(c.caseId) !== 1)).toEqual([]);
    // The workflow the victim held was finished by another process.
    const finishers = (await workersOf(held, REMOTE_QUEUE)).orchestrators;
    expect(finishers).toContain(victimPid);
    expect([...finishers].filter((p) => p !== victimPid).length).toBeGreaterThan(0);
    await restarted;
  });
});
