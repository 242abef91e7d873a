import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelinesAdmin } from '../admin/pipelines';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { startFakePinecone, type FakePinecone, type RecordedRequest } from './helpers/fake-pinecone';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

const API_KEY = 'pc-decisions-key';
const NS = 'pc-similar';
let fake: FakePinecone;
let suite: TestOrchestrator;
let holdout: DemoCase[];
const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  fake = await startFakePinecone({ apiKey: API_KEY, dimension: 9 });
  // Chosen by the environment, as a deployment would: no control-plane call (port 1 refuses).
  [suite, holdout] = await Promise.all([
    startTestOrchestrator('similar-pinecone', {
      env: {
        ARBITER_VECTOR_STORE: 'pinecone',
        PINECONE_API_KEY: API_KEY,
        PINECONE_INDEX: 'cases',
        PINECONE_INDEX_HOST: fake.hostUrl,
        PINECONE_CONTROLLER_HOST: 'http://127.0.0.1:1',
      },
    }),
    loadHoldout(),
  ]);
  const { registry, pipelines } = suite.runtime.models;
  await new PipelinesAdmin(pipelines, registry).apply({
    name: NS,
    steps: [{ id: 'gb', type: 'model', model: 'phishing-gb:champion' }],
    output: 'gb',
    similarity: { embedder: 'phishing-features:champion', topK: 3 },
  });
});

afterAll(async () => {
  await suite?.stop();
  await fake?.close();
});

const bodiesOf = (path: string): Record<string, unknown>[] =>
  fake.requests.filter((r: RecordedRequest) => r.path === path).map((r) => r.body as Record<string, unknown>);

describe('similar past decisions in Pinecone', () => {
  it('queries and upserts in the pipeline’s namespace, finds the earlier case, and labels it on feedback', async () => {
    expect(suite.runtime.vectors?.kind).toBe('pinecone');
    const input = (holdout[3] as DemoCase).input;
    const options = { pipeline: NS, thresholds: { decline: 0.8, review: 0.4 }, review: { timeoutMs: 300 } };
    const first = await suite.client.decide({ caseId: uniq('pc-first'), input }, options);
    await suite.env.client.workflow.getHandle(first.workflowId).result();
    const second = await suite.client.decide({ caseId: uniq('pc-second'), input }, options);

    expect(first.similar).toEqual([]);
    expect(second.similar?.[0]).toMatchObject({ id: first.decisionId, outcome: first.outcome, caseId: first.caseId });
    const queries = bodiesOf('/query');
    expect(queries.length).toBeGreaterThanOrEqual(2);
    // One more than topK: the store drops the decision's own id (excludeId) from what comes back.
    expect(queries[0]).toMatchObject({ namespace: NS, topK: 4, includeMetadata: true });
    const upserts = bodiesOf('/vectors/upsert');
    expect(upserts[0]).toMatchObject({
      namespace: NS,
      vectors: [{ id: first.decisionId, metadata: { outcome: first.outcome, caseId: first.caseId } }],
    });

    const receipt = await suite.client.submitFeedback(first.decisionId, 'fraud', { source: 'chargeback' });
    expect(receipt.vectorNote).toBeUndefined();
    expect(bodiesOf('/vectors/update').at(-1)).toMatchObject({
      id: first.decisionId,
      namespace: NS,
      setMetadata: { label: 'fraud' },
    });
  });
});
