import { describe, expect, it } from 'vitest';
import { DecisionWorkflowInputSchema, parseDecisionInput } from '../../core/workflow-input';

const pinned = (model: string) => ({
  pipeline: {
    name: 'p',
    version: '1',
    spec: { name: 'p', steps: [{ id: 'a', type: 'model', model }], output: 'a' },
    pins: { [model]: { name: model.split(':')[0], version: '1' } },
  },
});
const input = (model: string, extra: Record<string, unknown> = {}) => ({
  request: { caseId: 'c1', input: { x: 1 } },
  pipeline: 'p',
  pinned: pinned(model),
  ...extra,
});

describe('parseDecisionInput (the decision workflow input, pinned parses kept)', () => {
  it('parses as the schema does, and parses the same pinned pipeline only once', () => {
    const first = parseDecisionInput(input('memo-a:champion'));
    const second = parseDecisionInput(
      input('memo-a:champion', { via: 'api', thresholds: { decline: 0.9, review: 0.5 } }),
    );
    expect(first).toEqual(DecisionWorkflowInputSchema.safeParse(input('memo-a:champion')));
    expect(second).toEqual(
      DecisionWorkflowInputSchema.safeParse(
        input('memo-a:champion', { via: 'api', thresholds: { decline: 0.9, review: 0.5 } }),
      ),
    );
    // The second input's pinned part is the first's parse, kept (and frozen: no run can change it).
    expect(second.data?.pinned).toBe(first.data?.pinned);
    expect(Object.isFrozen(second.data?.pinned?.pipeline.spec.steps[0])).toBe(true);
    expect(() => ((second.data?.pinned?.pipeline.pins as Record<string, unknown>)['x'] = 1)).toThrow(TypeError);
  });

  it('parses other pinned pipelines apart', () => {
    const a = parseDecisionInput(input('memo-b:champion'));
    const b = parseDecisionInput(input('memo-c:champion'));
    expect(a.data?.pinned?.pipeline.spec.steps[0]).toMatchObject({ model: 'memo-b:champion' });
    expect(b.data?.pinned?.pipeline.spec.steps[0]).toMatchObject({ model: 'memo-c:champion' });
  });

  it('rejects a bad input beside a kept pinned pipeline with the issues a whole parse names', () => {
    parseDecisionInput(input('memo-d:champion'));
    const bad = input('memo-d:champion', { via: 'fax', receivedAt: 'soon' });
    const parsed = parseDecisionInput(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual(DecisionWorkflowInputSchema.safeParse(bad).error?.issues);
  });

  it('rejects a bad pinned pipeline, and keeps nothing of it', () => {
    const bad = { ...input('memo-e:champion'), pinned: { pipeline: { name: 'p', version: 1, spec: {}, pins: {} } } };
    const parsed = parseDecisionInput(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain('pinned.pipeline.version');
    expect(parseDecisionInput(bad).success).toBe(false);
  });

  it('parses an input without a pinned pipeline as the schema does', () => {
    const plain = { request: { caseId: 'c2', input: {} } };
    expect(parseDecisionInput(plain)).toEqual(DecisionWorkflowInputSchema.safeParse(plain));
    expect(parseDecisionInput(null).success).toBe(false);
  });
});
