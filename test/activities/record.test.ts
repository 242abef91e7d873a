import { describe, expect, it } from 'vitest';
import { createRecorders } from '../../activities/record';
import type { DecisionRecord } from '../../core/records';
import type { DecisionStore } from '../../stores/decision-store';
import type { VectorStore } from '../../stores/vector';

const record: DecisionRecord = {
  decisionId: 'decision-r1',
  caseId: 'r1',
  outcome: 'decline',
  score: 0.91,
  reasons: ['risk score 0.910 ≥ decline threshold 0.8'],
  models: [],
  latencyMs: 5,
  timings: { pipeline: 3, rules: 0 },
  thresholds: { decline: 0.8, review: 0.4 },
  pipeline: { name: 'demo', version: '2' },
  degraded: false,
  late: [],
  workflowId: 'decision-r1',
  runId: 'run-1',
  decidedAt: '2026-11-29T10:00:00.000Z',
  input: { https: 1 },
};

/** A log that keeps what it is given, in memory. */
function memoryLog() {
  const inserted: DecisionRecord[] = [];
  const store = {
    insertDecision: (r: DecisionRecord) => Promise.resolve(void inserted.push(r)),
    insertModelCalls: () => Promise.resolve(),
  } as unknown as DecisionStore;
  return { store, inserted };
}

describe('recordDecision', () => {
  it('stores the case vector with the record, tagged with its outcome', async () => {
    const upserts: unknown[] = [];
    const vectors = {
      upsert: (...args: unknown[]) => Promise.resolve(void upserts.push(args)),
    } as unknown as VectorStore;
    const { store, inserted } = memoryLog();
    const { recordDecision } = createRecorders(store, { storeInput: true, vectors });
    const recorded = await recordDecision(record, [], Date.now() - 40, { namespace: 'demo', vector: [0.6, 0.8] });
    expect(inserted).toHaveLength(1);
    expect(recorded.remembered).toEqual({ ok: true });
    expect(recorded.latencyMs).toBeGreaterThanOrEqual(40);
    expect(upserts).toEqual([
      [
        'demo',
        [
          {
            id: 'decision-r1',
            vector: [0.6, 0.8],
            metadata: {
              outcome: 'decline',
              score: 0.91,
              caseId: 'r1',
              decidedAt: record.decidedAt,
              pipelineVersion: '2',
            },
          },
        ],
      ],
    ]);
  });

  it('records the decision even when the vector store fails, and says why the vector was not stored', async () => {
    const vectors = { upsert: () => Promise.reject(new Error('connection reset')) } as unknown as VectorStore;
    const { store, inserted } = memoryLog();
    const { recordDecision } = createRecorders(store, { storeInput: true, vectors });
    const recorded = await recordDecision(record, [], undefined, { namespace: 'demo', vector: [1, 0] });
    expect(inserted).toHaveLength(1);
    expect(recorded).toEqual({ latencyMs: 5, remembered: { ok: false, reason: 'connection reset' } });
  });
});
