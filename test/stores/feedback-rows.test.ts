import { describe, expect, it } from 'vitest';
import { LabelledRowSchema } from '../../stores/feedback-rows';

const base = {
  decision_id: 'decision-1',
  pipeline: 'demo',
  label: 'fraud',
  outcome: 'decline',
  final_outcome: null,
  decided_at: new Date('2025-01-02T03:04:05Z'),
  score: 0.82,
};
const model = (name: string, arm: string, status: string, score: number | null) => ({
  step: name,
  model: name,
  version: '1',
  arm,
  status,
  score,
  latencyMs: 1,
  late: false,
});

describe('LabelledRowSchema', () => {
  it('takes member scores from model_calls: answered calls with a numeric score only', () => {
    const row = LabelledRowSchema.parse({
      ...base,
      models: [model('ignored', 'primary', 'ok', 0.1)],
      calls: [
        { model: 'gb', version: '1', arm: 'primary', status: 'ok', score: 0.9 },
        { model: 'nn', version: '2', arm: 'shadow', status: 'failed', score: null },
        { model: 'iforest', version: '1', arm: 'primary', status: 'ok', score: 'high' },
      ],
    });
    expect(row).toEqual({
      decisionId: 'decision-1',
      pipeline: 'demo',
      label: 'fraud',
      outcome: 'decline',
      finalOutcome: null,
      decidedAt: '2025-01-02T03:04:05.000Z',
      score: 0.82,
      members: [{ model: 'gb', version: '1', arm: 'primary', score: 0.9 }],
    });
  });

  it('falls back to the decision’s models when it has no model_calls rows', () => {
    const row = LabelledRowSchema.parse({
      ...base,
      models: [model('gb', 'primary', 'ok', 0.7), model('lr', 'canary', 'failed', null)],
      calls: [],
    });
    expect(row.members).toEqual([{ model: 'gb', version: '1', arm: 'primary', score: 0.7 }]);
  });

  it('refuses a row with a label the schema does not know', () => {
    expect(() => LabelledRowSchema.parse({ ...base, label: 'spam', models: [], calls: [] })).toThrow();
  });
});
