import { describe, expect, it } from 'vitest';
import { AuditSchema } from '../../api/schemas/audit';
import { DecisionViewSchema } from '../../api/schemas/decisions';
import { DecisionResultSchema } from '../../core/decision';
import { decisionView } from '../../core/decision-view';
import { DecisionRowSchema } from '../../stores/decision-store';

const model = {
  step: 'gb',
  model: 'phishing-gb',
  version: '1',
  arm: 'primary',
  status: 'ok',
  score: 0.9,
  output: { score: 0.9 },
  latencyMs: 3,
  late: false,
};

// Every optional part present, so a field the schemas forgot would be stripped and show up below.
const result = DecisionResultSchema.parse({
  decisionId: 'decision-c1',
  caseId: 'c1',
  outcome: 'review',
  score: 0.9,
  reasons: ['risk score 0.900 ≥ review threshold 0.4 and < 0.95'],
  models: [model, { ...model, arm: 'shadow', output: undefined, score: null, status: 'failed', late: true }],
  thresholds: { decline: 0.95, review: 0.4 },
  pipeline: { name: 'demo', version: '2' },
  degraded: true,
  late: ['nn'],
  rules: { name: 'demo', version: '1', matched: ['high-score'] },
  similar: [{ id: 'decision-c0', score: 0.99, outcome: 'decline', caseId: 'c0', decidedAt: 'x', label: 'fraud' }],
  latencyMs: 42,
  timings: { pipeline: 30, similarity: 10 },
  review: { state: 'pending' },
  workflowId: 'decision-c1',
  runId: 'run-1',
  decidedAt: '2025-01-02T03:04:05.000Z',
});

describe('the API schemas match what the API sends', () => {
  it('DecisionViewSchema keeps every field of decisionView()', () => {
    const view = decisionView(result, 12.5);
    expect(DecisionViewSchema.parse(view)).toEqual(view);
    expect(DecisionViewSchema.parse(decisionView({ ...result, similar: undefined, rules: undefined }))).toMatchObject({
      similar: [],
      latencyMs: 42,
    });
  });

  it('AuditSchema keeps every field of a decision log row', () => {
    const at = new Date('2025-01-02T03:04:05Z');
    const stored = DecisionRowSchema.parse({
      decision_id: 'decision-c1',
      case_id: 'c1',
      pipeline: 'demo',
      pipeline_version: 2,
      degraded: false,
      late: [],
      review_state: 'approved',
      final_outcome: 'approve',
      reviewer: 'ana',
      review_note: 'ok',
      reviewed_at: at,
      rule_set: 'demo',
      rule_set_version: 1,
      rules_matched: ['r'],
      similar_cases: [],
      timings: { pipeline: 1 },
      latency_ms: 5,
      // As the jsonb history carries it: received_at a string, not a Date.
      feedback: [
        {
          feedback_id: 'fb-1',
          decision_id: 'decision-c1',
          label: 'legit',
          source: 'analyst',
          note: null,
          received_at: '2025-01-02T03:04:05.123456+00:00',
        },
      ],
      outcome: 'review',
      score: 0.5,
      reasons: ['x'],
      models: [model],
      thresholds: { decline: 0.8, review: 0.4 },
      input: { https: 1 },
      input_hash: 'abc',
      workflow_id: 'decision-c1',
      run_id: 'run-1',
      decided_at: at,
      recorded_at: at,
    });
    expect(AuditSchema.parse(stored)).toEqual(stored);
    expect(stored.feedback).toEqual([
      {
        feedbackId: 'fb-1',
        decisionId: 'decision-c1',
        label: 'legit',
        source: 'analyst',
        receivedAt: '2025-01-02T03:04:05.123Z',
      },
    ]);
  });
});
