import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../config/env';
import { DEFAULT_WORKFLOW_TASK_SLOTS } from '../../workers/orchestrator';

describe('ARBITER_WORKFLOW_TASK_SLOTS', () => {
  it("defaults to the orchestrator worker's own default, above the SDK's 40", () => {
    expect(loadEnv({}).ARBITER_WORKFLOW_TASK_SLOTS).toBe(DEFAULT_WORKFLOW_TASK_SLOTS);
    expect(DEFAULT_WORKFLOW_TASK_SLOTS).toBeGreaterThan(40);
  });

  it('takes a whole number of at least 2 (the SDK refuses fewer with a workflow cache)', () => {
    expect(loadEnv({ ARBITER_WORKFLOW_TASK_SLOTS: '250' }).ARBITER_WORKFLOW_TASK_SLOTS).toBe(250);
    for (const bad of ['1', '2.5', 'many']) {
      expect(() => loadEnv({ ARBITER_WORKFLOW_TASK_SLOTS: bad }), bad).toThrow(/ARBITER_WORKFLOW_TASK_SLOTS/);
    }
  });
});
