import { randomBytes } from 'node:crypto';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimilarityActivities } from '../activities/similarity';
import type { ArbiterClient } from '../client';
import { PipelineInvalidError, PipelinesAdmin } from '../admin/pipelines';
import { RuleSetsAdmin } from '../admin/rules';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import type { DecisionResult } from '../core/decision';
import { RuleSetStore } from '../stores/rules-store';
import type { VectorStore } from '../stores/vector';
import type { OrchestratorRuntime } from '../workers/orchestrator-runtime';
import { failureOf } from './helpers/failures';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';
import { serviceModel, startScoringService, type ScoringService } from './helpers/scoring-service';

let suite: TestOrchestrator;
let env: TestWorkflowEnvironment;
let runtime: OrchestratorRuntime;
let client: ArbiterClient;
let vectors: VectorStore;
let pipelines: PipelinesAdmin;
let service: ScoringService;
let holdout: DemoCase[];
const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const NS = 'similar-gb';

/** A one-model pipeline with similar-case search, in its own namespace. */
const spec = (name: string, embedder = 'phishing-features:champion') => ({
  name,
  steps: [{ id: 'gb', type: 'model', model: 'phishing-gb:champion' }],
  output: 'gb',
  similarity: { embedder, topK: 3 },
});

/** Decides, then waits for the workflow to finish (the case vector is stored after the answer). */
async function decideAndSettle(caseId: string, input: object, options: object = {}): Promise<DecisionResult> {
  const result = await client.decide(
    { caseId, input },
    { pipeline: NS, thresholds: { decline: 0.8, review: 0.4 }, review: { timeoutMs: 300 }, ...options },
  );
  await env.client.workflow.getHandle(result.workflowId).result();
  return result;
}

beforeAll(async () => {
  [suite, holdout, service] = await Promise.all([
    startTestOrchestrator('similarity'),
    loadHoldout(),
    startScoringService(),
  ]);
  ({ env, runtime, client } = suite);
  if (!runtime.vectors) throw new Error('the test orchestrator has no vector store');
  vectors = runtime.vectors;
  const { registry, pipelines: store } = runtime.models;
  pipelines = new PipelinesAdmin(store, registry);
  await pipelines.apply(spec(NS));
});

afterAll(async () => {
  await suite?.stop();
  await service?.close();
});

describe('similar past decisions', () => {
  it('finds none at first, stores the decided case, and finds it for the next case like it', async () => {
    const c = holdout[0] as DemoCase;
    const first = await decideAndSettle(uniq('first'), c.input);
    expect(first.similar).toEqual([]);
    expect(first.reasons).toContain('no similar past decisions yet');

    // The case vector was stored after the answer, with the outcome people and rules need.
    const [stored] = await vectors.query(NS, (await embed(c.input)).vector, { topK: 1 });
    expect(stored).toMatchObject({
      id: first.decisionId,
      metadata: { outcome: first.outcome, score: first.score, caseId: first.caseId, pipelineVersion: '1' },
    });

    const second = await decideAndSettle(uniq('second'), c.input);
    expect(second.similar?.[0]).toMatchObject({ id: first.decisionId, outcome: first.outcome, caseId: first.caseId });
    expect(second.similar?.[0]?.score).toBeCloseTo(1, 6);
    expect(second.reasons.at(-1)).toMatch(/^1 similar past decisions \(closest 1\.000\): /);
    // Never its own neighbour, even though its vector is stored by now.
    const third = await decideAndSettle(uniq('third'), c.input);
    expect(third.similar?.map((s) => s.id).sort()).toEqual([first.decisionId, second.decisionId].sort());
  });

  it('searches, decides and stores the case vector in the record’s activity (pgvector beside the log)', async () => {
    const c = holdout[5] as DemoCase;
    const result = await client.decide(
      { caseId: uniq('kept'), input: c.input },
      { pipeline: NS, thresholds: { decline: 0.8, review: 0.4 }, review: { timeoutMs: 300 } },
    );
    // Stored by the time the answer is out, not after it.
    const [stored] = (await vectors.query(NS, (await embed(c.input)).vector, { topK: 50 })).filter(
      (m) => m.id === result.decisionId,
    );
    expect(stored?.metadata).toMatchObject({ outcome: result.outcome, score: result.score, caseId: result.caseId });
    const handle = env.client.workflow.getHandle(result.workflowId);
    await handle.result();
    const types = localActivityTypes(await handle.fetchHistory());
    // One local activity after the models, none after the answer.
    expect(types).toContain('recordSearchedDecision');
    for (const apart of ['findSimilar', 'recordDecision', 'rememberCase']) expect(types).not.toContain(apart);
  });

  it('keeps the audit detail: similar cases, rule set, timings, latency', async () => {
    const c = holdout[1] as DemoCase;
    await decideAndSettle(uniq('audit-a'), c.input);
    const b = await decideAndSettle(uniq('audit-b'), c.input);
    const row = await runtime.store.getDecision(b.decisionId);
    expect(row?.similar).toEqual(b.similar);
    expect(row?.similar?.length).toBeGreaterThan(0);
    expect(Object.keys(row?.timings ?? {}).sort()).toEqual(['pipeline', 'rules', 'similarity']);
    expect(row?.timings.similarity).toBeGreaterThan(0);
    expect(row?.latencyMs).toBe(b.latencyMs);
    expect(row?.input).toEqual(c.input);
  });

  it('lets rules weigh labelled look-alikes, and keeps a reviewer’s outcome on the stored vector', async () => {
    const rules = new RuleSetsAdmin(new RuleSetStore(suite.db.pool));
    await rules.apply({
      name: 'twins',
      rules: [
        {
          name: 'twin-of-fraud',
          priority: 10,
          when: {
            all: [
              { fact: 'similar', path: '$.topScore', operator: 'greaterThanInclusive', value: 0.999 },
              { fact: 'similar', path: '$.labelledFraudRate', operator: 'equal', value: 1 },
            ],
          },
          outcome: 'decline',
          reason: 'the closest past cases ({similar.count}) were confirmed fraud',
        },
      ],
      default: { outcome: 'approve', reason: 'nothing like confirmed fraud' },
    });
    const c = holdout.find((h) => h.label === 0) as DemoCase;
    const past = await decideAndSettle(uniq('twin-past'), c.input, { rules: 'twins' });
    expect(past.outcome).toBe('approve');
    await vectors.updateMetadata(NS, past.decisionId, { label: 'fraud' });
    const now = await decideAndSettle(uniq('twin-now'), c.input, { rules: 'twins' });
    expect(now).toMatchObject({ outcome: 'decline', rules: { matched: ['twin-of-fraud'] } });
    expect(now.similar?.find((s) => s.id === past.decisionId)?.label).toBe('fraud');

    // Sent to review, escalated to decline after 300 ms: the stored vector says decline, reviewed.
    const reviewed = await decideAndSettle(uniq('escalated'), c.input, {
      thresholds: { decline: 1, review: 0 },
      review: { timeoutMs: 300, onTimeout: 'decline' },
    });
    expect(reviewed.outcome).toBe('review');
    const [match] = (await vectors.query(NS, (await embed(c.input)).vector, { topK: 10 })).filter(
      (m) => m.id === reviewed.decisionId,
    );
    expect(match?.metadata).toMatchObject({ outcome: 'decline', reviewed: true });
  });

  it('applies the spec’s metadata filter: only confirmed-fraud look-alikes', async () => {
    const c = holdout[4] as DemoCase;
    const plain = await decideAndSettle(uniq('filter-plain'), c.input);
    const labelled = await decideAndSettle(uniq('filter-fraud'), c.input);
    await vectors.updateMetadata(NS, labelled.decisionId, { label: 'fraud' });
    const name = uniq('filtered');
    await pipelines.apply({ ...spec(name), similarity: { ...spec(name).similarity, filter: { label: 'fraud' } } });
    // A pipeline searches its own namespace: give this one the two cases, one labelled fraud.
    const vector = (await embed(c.input)).vector;
    const found = await vectors.query(NS, vector, { topK: 20 });
    const copies = found.filter((m) => [plain.decisionId, labelled.decisionId].includes(m.id));
    expect(copies).toHaveLength(2);
    await vectors.upsert(
      name,
      copies.map((m) => ({ id: m.id, vector, metadata: m.metadata })),
    );
    const result = await client.decide(
      { caseId: uniq('filtered-now'), input: c.input },
      { pipeline: name, thresholds: { decline: 0.8, review: 0.4 }, review: { timeoutMs: 300 } },
    );
    expect(result.similar?.map((m) => m.id)).toEqual([labelled.decisionId]);
  });

  it('decides without similar cases, and says why, when the embedder fails', async () => {
    const { version } = await runtime.models.registry.register({
      ...serviceModel(service, uniq('broken-embedder'), '/fail/500'),
      outputSchema: { type: 'object', properties: { vector: { type: 'array', items: { type: 'number' } } } },
    });
    const name = uniq('broken-sim');
    await pipelines.apply(spec(name, `${version.name}@${version.version}`));
    const result = await client.decide(
      { caseId: uniq('no-embedder'), input: (holdout[2] as DemoCase).input },
      { pipeline: name, thresholds: { decline: 0.8, review: 0.4 }, review: { timeoutMs: 300 } },
    );
    expect(result.similar).toEqual([]);
    expect(result.reasons.at(-1)).toMatch(
      new RegExp(`^similar cases unavailable: model ${version.name}@1 answered HTTP 500`),
    );
    expect(typeof result.score).toBe('number');
  });

  it('refuses, when applied, an embedder that does not output a vector', async () => {
    const err = await pipelines.apply(spec(uniq('not-embedder'), 'phishing-gb:champion')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInvalidError);
    expect((err as PipelineInvalidError).issues).toEqual([
      {
        path: 'similarity.embedder',
        message: "phishing-gb:champion is not an embedder: its output schema has no 'vector' array",
      },
    ]);
  });

  it('fails non-retryably, naming the setting, when no vector store is configured', async () => {
    const { findSimilar } = createSimilarityActivities({ runtime: runtime.models.runtime });
    const failure = await failureOf(
      findSimilar({
        embedder: { name: 'phishing-features', version: '1' },
        input: (holdout[0] as DemoCase).input,
        namespace: NS,
        topK: 1,
        excludeId: 'x',
      }),
    );
    expect([failure.type, failure.nonRetryable]).toEqual(['Similarity.NotConfigured', true]);
    expect(failure.message).toContain('ARBITER_VECTOR_STORE=none');
  });
});

/** The demo embedder's vector for an input, through the same activity the workflow uses. */
async function embed(input: Record<string, unknown>): Promise<{ vector: number[] }> {
  const { findSimilar } = createSimilarityActivities({ runtime: runtime.models.runtime, vectors });
  return findSimilar({
    embedder: { name: 'phishing-features', version: '1' },
    input,
    namespace: 'probe',
    topK: 1,
    excludeId: 'probe',
  });
}

/** The activity types of a history's local-activity markers, in order. */
function localActivityTypes(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    const parsed = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }) : {};
    return parsed.activity_type ? [parsed.activity_type] : [];
  });
}
