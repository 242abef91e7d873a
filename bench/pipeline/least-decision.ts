import { activityInfo } from '@temporalio/activity';
import type { Stack } from '../../cli/stack/stack';
import { AnswerDesk } from '../../client/answer-desk';
import { applyThresholds, DEFAULT_THRESHOLDS, type DecisionResult } from '../../core/decision';
import type { PinnedModel } from '../../core/model-ref';
import { PipelineKey } from '../../core/search-attributes';
import type { ModelCall } from '../../core/pipeline/types';
import type { DecisionRecord } from '../../core/records';
import { caseVectorMetadata } from '../../core/similar';
import { PgVectorStore } from '../../stores/vector/pgvector';
import type { leastDecisionWorkflow, LeastCase, LeastDecisionActivities } from '../least-decision-workflow';
import type { FreshCases } from './fresh';
import type { Variant } from './variants';

export const LEAST_QUEUE = 'bench-least-decision';

/** The demo pipeline's four calls (gb, its TF.js shadow, nn's TF.js, the anomaly detector) and its embedder. */
const MEMBERS = ['phishing-gb', 'phishing-tfjs', 'phishing-tfjs', 'phishing-iforest'] as const;
const EMBEDDER = 'phishing-features';
/** The demo's namespace: the search scans the same vectors `arbiter-full`'s does. */
const NAMESPACE = 'demo';
const TIMEOUT_MS = 1000;
/** How long a caller waits for the in-process answer before it asks for the workflow's result. */
const ANSWER_MS = 5000;

/**
 * Where the record's activity hands each caller its answer once the decision's row is in: an answer
 * desk of its own, the mechanism Arbiter's decisions are answered by, so the least decision is
 * answered the same way (the floor waits for `result()`).
 */
const desk = new AnswerDesk();

/** Least decisions answered in-process so far (the rest waited for their result). */
export const leastAnsweredInProcess = () => desk.handed;

async function champion(stack: Stack, name: string): Promise<PinnedModel> {
  const v = await stack.models.registry.resolve({ name, alias: 'champion' });
  return { name: v.name, version: v.version };
}

/**
 * The activities of `leastDecisionWorkflow`: the models' adapters called directly, the search and
 * the vector on the stack's pgvector store, the record with the decision store's own statement.
 * No validation, pinning, routing, rules, reasons, review, metrics or logs: Arbiter's code is what
 * `arbiter-full` adds to this.
 */
export async function leastDecisionActivities(stack: Stack): Promise<LeastDecisionActivities> {
  const members = await Promise.all(MEMBERS.map((name) => champion(stack, name)));
  const adapters = await Promise.all(members.map((m) => stack.models.runtime.adapter(m.name, m.version)));
  const embedderPin = await champion(stack, EMBEDDER);
  const embedder = await stack.models.runtime.adapter(embedderPin.name, embedderPin.version);
  const vectors = new PgVectorStore(stack.pool, {});
  const deadline = () => ({ deadline: Date.now() + TIMEOUT_MS });
  return {
    async score(member, input) {
      const adapter = adapters[member];
      if (!adapter) throw new Error(`no member ${member}`);
      const { outputs } = await adapter.predict([input], deadline());
      return Number(outputs[0]?.score);
    },
    async record(c: LeastCase, scores: number[]) {
      const execution = activityInfo().workflowExecution;
      if (!execution) throw new Error("record runs as a workflow's activity");
      const { workflowId, runId } = execution;
      const [gb = 0, , nn = 0, anomaly = 0] = scores;
      // The demo's routing: the larger score for an anomalous page, else 0.6 gb + 0.4 nn.
      const score = anomaly > 0.1 ? Math.max(gb, nn) : 0.6 * gb + 0.4 * nn;
      const { outcome, reasons } = applyThresholds(score, DEFAULT_THRESHOLDS);
      const vector = (await embedder.predict([c.input], deadline())).outputs[0]?.vector as number[];
      const similar = await vectors.query(NAMESPACE, vector, { topK: 5, excludeId: workflowId });
      const calls: ModelCall[] = members.map((m, i) => ({
        callId: `m${i}#1`,
        stepId: `m${i}`,
        model: m.name,
        version: m.version,
        arm: i === 1 ? 'shadow' : 'primary',
        placement: 'local',
        status: 'ok',
        late: false,
        output: { score: scores[i] },
      }));
      const decision: DecisionResult = {
        decisionId: workflowId,
        caseId: c.caseId,
        outcome,
        score,
        reasons: [...reasons, `${similar.length} similar past decisions`],
        models: calls.map((call, i) => ({
          step: call.stepId,
          model: call.model,
          version: call.version,
          arm: call.arm,
          status: 'ok',
          score: scores[i] ?? null,
          output: call.output ?? null,
          latencyMs: null,
          late: false,
        })),
        thresholds: DEFAULT_THRESHOLDS,
        pipeline: { name: 'least-decision', version: '1' },
        degraded: false,
        late: [],
        workflowId,
        runId,
        decidedAt: new Date().toISOString(),
      };
      const record: DecisionRecord = { ...decision, input: c.input };
      await stack.store.insertDecisionWithCalls(record, calls);
      desk.deliver(workflowId, { kind: 'decided', decision });
      await vectors.upsert(NAMESPACE, [{ id: workflowId, vector, metadata: caseVectorMetadata(record) }]);
      return { outcome, score };
    },
  };
}

/**
 * `least-decision`: eager start of `leastDecisionWorkflow`, answered in-process at its record as
 * Arbiter's decisions are; `result()` where the start was not eager (no worker of this process took it).
 */
export function leastDecisionVariant(stack: Pick<Stack, 'client'>, fresh: FreshCases): Variant {
  return {
    name: 'least-decision',
    async call() {
      const c = fresh.next('least');
      const workflowId = `decision-${c.caseId}`;
      const wait = desk.expect(workflowId);
      try {
        const handle = await stack.client.temporal.workflow.start<typeof leastDecisionWorkflow>(
          'leastDecisionWorkflow',
          {
            taskQueue: LEAST_QUEUE,
            workflowId,
            args: [{ caseId: c.caseId, input: c.input }, MEMBERS.length],
            requestEagerStart: true,
            // As Arbiter's client starts a decision: with its pipeline's search attribute.
            typedSearchAttributes: [{ key: PipelineKey, value: 'least-decision' }],
          },
        );
        // As Arbiter's client: no answer in time (a failed record) falls back to the result.
        const answer = handle.eagerlyStarted ? await wait.within(ANSWER_MS) : undefined;
        if (answer?.kind !== 'decided') await handle.result();
        return { degraded: false, eager: handle.eagerlyStarted };
      } finally {
        wait.cancel();
      }
    },
  };
}
