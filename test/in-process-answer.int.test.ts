import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedStackEnv } from '../bench/stack-env';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { startStack, type Stack } from '../cli/stack/stack';
import { ArbiterClient } from '../client/arbiter-client';
import { CaseValidationError, DecisionFailedError } from '../client/errors';
import { decisionQuery } from '../core/messages';
import { decisionWorkflowId } from '../core/workflow-input';

// The embedded stack's fast path: `decide` starts the workflow eagerly on the worker of its own
// connection and takes the decision from the worker's `answers` sink (client/answer-desk.ts).
let dataDir: string;
let stack: Stack;
let holdout: DemoCase[];
const run = Date.now().toString(36);
let n = 0;
const fresh = () => {
  const c = holdout[n % holdout.length] as DemoCase;
  return { caseId: `ip-${run}-${n++}`, input: c.input };
};

beforeAll(async () => {
  const isolated = await isolatedStackEnv('arbiter-in-process-', process.env.DATABASE_URL ?? '', {
    ARBITER_TASK_QUEUE: `in-process-${run}`,
  });
  dataDir = isolated.dataDir;
  stack = await startStack(isolated.env, () => undefined);
  holdout = await loadHoldout();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The local activities a decision's history records (one marker each). */
async function markersIn(workflowId: string): Promise<number> {
  const history = await stack.client.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.markerRecordedEventAttributes).length;
}

/** Whether the decision's history holds an update (the server's path) — the fast path sends none. */
async function updatesIn(workflowId: string): Promise<number> {
  const history = await stack.client.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('decide on the embedded stack: the answer in-process', () => {
  it('hands the recorded decision over without an update, the same decision the workflow keeps', async () => {
    const before = stack.answers.handed;
    const request = fresh();
    const decision = await stack.client.decide(request);
    expect(stack.answers.handed).toBe(before + 1);
    const id = decisionWorkflowId(request.caseId);
    expect(decision.decisionId).toBe(id);
    // What the workflow returned (its completion event) is what the client was handed.
    expect(await stack.client.temporal.workflow.getHandle(id).result()).toEqual(decision);
    expect(await updatesIn(id)).toBe(0);
    // Recorded before the answer left: the log has it.
    const logged = await stack.store.getDecision(id);
    expect(logged?.outcome).toBe(decision.outcome);
    expect(stack.answers.open).toBe(0);
  });

  it('hears the decision from the record’s activity once its row is written, once, as the workflow keeps it', async () => {
    const heard: { id: string; kind: string; decision?: unknown; from: string }[] = [];
    const desk = stack.answers;
    const deliver = desk.deliver.bind(desk);
    desk.deliver = (id, answer) => {
      const from = new Error().stack?.includes('activities/record.ts') ? 'record' : 'sink';
      heard.push({ id, kind: answer.kind, from, ...(answer.kind === 'decided' ? { decision: answer.decision } : {}) });
      deliver(id, answer);
    };
    try {
      // The demo pipeline (search, decide and record in one activity), with rules, and a single model (the plain record).
      for (const options of [{}, { rules: 'demo' }, { model: 'phishing-gb' }]) {
        const request = fresh();
        const decision = await stack.client.decide(request, options);
        const id = decisionWorkflowId(request.caseId);
        // The workflow's own copy (a review keeps it open: its query, not its result), once it has it.
        const kept = await stack.client.temporal.workflow.getHandle(id).query(decisionQuery);
        await new Promise((r) => setTimeout(r, 200));
        // Only the record's activity: the workflow's sink stays silent, so no later wait hears a stale copy.
        expect(heard.filter((h) => h.id === id).map((h) => `${h.kind} from ${h.from}`)).toEqual([
          'decided from record',
        ]);
        expect(heard.find((h) => h.id === id)?.decision).toEqual(decision);
        expect(kept).toEqual(decision);
        expect((await stack.store.getDecision(id))?.outcome).toBe(decision.outcome);
      }
    } finally {
      desk.deliver = deliver;
    }
    expect(desk.open).toBe(0);
  });

  it('answers a case asked again with the decision already taken, by the server (no second decision)', async () => {
    const request = fresh();
    const first = await stack.client.decide(request);
    const handed = stack.answers.handed;
    const again = await stack.client.decide(request);
    expect(again).toEqual(first);
    expect(stack.answers.handed).toBe(handed);
  });

  it('fails an invalid case with the typed error, read from the workflow', async () => {
    const request = fresh();
    const bad = { ...request, input: { ...request.input, https: 'yes' } };
    const err = await stack.client.decide(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaseValidationError);
    expect((err as CaseValidationError).issues.map((i) => i.path)).toContain('input.https');
    expect(stack.answers.open).toBe(0);
  });

  it('answers a decision sent to review at once, and the review goes on durably', async () => {
    const request = fresh();
    const decision = await stack.client.decide(request, { thresholds: { decline: 1, review: 0 } });
    expect(decision.outcome).toBe('review');
    const id = decisionWorkflowId(request.caseId);
    expect(await updatesIn(id)).toBe(0);
    const reviewed = await stack.client.review(id, { action: 'approve', reviewer: 'ana' });
    expect(reviewed.finalOutcome).toBe('approve');
  });

  it('takes the update when the workflow is not its to start (already running, started elsewhere)', async () => {
    const request = fresh();
    // Started and running (a review keeps it open): `decide` joins it without starting anything.
    const started = await stack.client.startDecision(request, { thresholds: { decline: 1, review: 0 } });
    const handed = stack.answers.handed;
    const decision = await stack.client.decide(request, { thresholds: { decline: 1, review: 0 } });
    expect(decision.decisionId).toBe(started.decisionId);
    expect(decision.outcome).toBe('review');
    expect(stack.answers.handed).toBe(handed);
    expect(await updatesIn(started.decisionId)).toBe(1);
  });

  it('decides many at once, each answered once and in-process', async () => {
    const before = stack.answers.handed;
    const requests = Array.from({ length: 24 }, fresh);
    const decisions = await Promise.all(requests.map((r) => stack.client.decide(r)));
    expect(new Set(decisions.map((d) => d.decisionId)).size).toBe(24);
    expect(stack.answers.handed).toBe(before + 24);
    expect(stack.answers.open).toBe(0);
  });

  it("decides more at once than the SDK's 40 workflow-task slots allow, each started eagerly (ARBITER_WORKFLOW_TASK_SLOTS)", async () => {
    // Each decision holds a slot from its eager start to the end of its task, and the pollers hold
    // some too: at the SDK's 40, some of these 60 found none and were decided through the server.
    const requests = Array.from({ length: 60 }, fresh);
    const decisions = await Promise.all(requests.map((r) => stack.client.decide(r)));
    const updates = await Promise.all(decisions.map((d) => updatesIn(d.decisionId)));
    expect(updates.filter((u) => u > 0)).toHaveLength(0);
  });

  it('a client without the desk decides through the server (update-with-start), pinning in the workflow', async () => {
    const plain = new ArbiterClient(stack.client.temporal, { taskQueue: stack.client.taskQueue });
    const request = fresh();
    const handed = stack.answers.handed;
    // One model, no canary: both decisions take the same path whatever their case ids. No review
    // band: a decision sent to review stays open, and the history is read once the workflow closed.
    const single = { model: 'phishing-gb:champion', thresholds: { decline: 0.5, review: 0.5 } };
    const decision = await plain.decide(request, single);
    expect(decision.decisionId).toBe(decisionWorkflowId(request.caseId));
    expect(stack.answers.handed).toBe(handed);
    expect(await updatesIn(decision.decisionId)).toBe(1);
    // The same input in-process: pinned by the client with the worker's cache, one local activity fewer.
    const inProcess = await stack.client.decide({ caseId: `${request.caseId}-again`, input: request.input }, single);
    expect(inProcess.pipeline).toEqual(decision.pipeline);
    expect(inProcess.models.map((m) => [m.model, m.version])).toEqual(decision.models.map((m) => [m.model, m.version]));
    // The answer leaves before the workflow task completes: read the history once the workflow closed.
    await stack.client.temporal.workflow.getHandle(inProcess.decisionId).result();
    expect(await markersIn(decision.decisionId)).toBe((await markersIn(inProcess.decisionId)) + 1);
  });

  it('pins in the workflow when the client cannot (an unknown pipeline fails there, typed)', async () => {
    const err = await stack.client.decide(fresh(), { pipeline: 'no-such-pipeline' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecisionFailedError);
    expect((err as DecisionFailedError).failureType).toBe('Pipeline.NotFound');
  });

  it('pins the rule set too: a rule-set decision names the version it was decided by', async () => {
    const decision = await stack.client.decide(fresh(), { rules: 'demo' });
    expect(decision.rules?.name).toBe('demo');
    expect(decision.rules?.version).toMatch(/\S/);
  });
});
