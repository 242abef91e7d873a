import { describe, expect, it } from 'vitest';
import { parseCaseLine } from '../../core/batch/ndjson';
import { batchDecisionId, batchIdOf } from '../../core/batch/schema';
import { freshProgress, withRead, withScored } from '../../core/batch/tally';
import { decideScored, type ChunkContext } from '../../core/batch/verdict';
import { PipelineSpecSchema } from '../../core/pipeline/spec';
import { RuleSetSpecSchema } from '../../core/rules/spec';

describe('parseCaseLine', () => {
  it.each([
    ['not JSON', '{"caseId": "a",', '(line)', /^not JSON/],
    ['no input', '{"caseId": "a"}', 'input', /expected record/],
    ['a bad case id', '{"caseId": 7, "input": {}}', 'caseId', /expected string/],
    ['not an object', '[1, 2]', '(root)', /expected object/],
  ])('rejects %s, naming the line', (_what, text, path, message) => {
    const parsed = parseCaseLine(text, 17);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.rejection).toMatchObject({ line: 17, issues: [{ path }] });
    expect(parsed.rejection.issues[0]?.message).toMatch(message);
  });

  it('accepts a case as decide takes it', () => {
    expect(parseCaseLine('{"caseId": "c-1", "input": {"x": 1}}', 3)).toEqual({
      ok: true,
      value: { caseId: 'c-1', input: { x: 1 }, line: 3 },
    });
  });
});

describe('batch ids', () => {
  it.each([
    ['batch-nightly', 'nightly'],
    ['batch-nightly-2025-01-01T00:00:00Z', 'nightly-2025-01-01T00:00:00Z'],
    ['other id/with slash', 'other-id-with-slash'],
  ])('derives the batch id of workflow %s', (workflowId, batchId) => {
    expect(batchIdOf(workflowId)).toBe(batchId);
  });

  it('gives batch decisions ids of their own, stable per batch and case', () => {
    expect(batchDecisionId('b1', 'c-1')).toBe('batch-b1-c-1');
  });
});

describe('progress', () => {
  it('adds chunks up and keeps the first rejections', () => {
    const rejection = { line: 2, caseId: null, reason: 'bad', issues: [] };
    let p = freshProgress('b', { kind: 'table' }, '2025-01-01T00:00:00.000Z');
    const read = { cases: 2, read: 3, rejections: [rejection], from: { offset: 0, line: 0 }, done: false, readMs: 1 };
    p = withRead(p, { ...read, chunk: 0, next: { offset: 10, line: 3 } });
    const scored = { decided: 2, alreadyRecorded: 1, failed: 0, lastError: null, readMs: 0, scoreMs: 5, recordMs: 2 };
    p = withScored(p, { ...scored, chunk: 0, byOutcome: { approve: 1, review: 0, decline: 1 }, rejections: [] });
    expect(p).toMatchObject({
      read: 3,
      decided: 2,
      alreadyRecorded: 1,
      rejected: 1,
      chunks: 1,
      byOutcome: { approve: 1, review: 0, decline: 1 },
      rejections: [rejection],
      timings: { readMs: 1, scoreMs: 5, recordMs: 2 },
    });
  });
});

describe('decideScored', () => {
  const pinned = {
    name: 'p',
    version: '2',
    spec: PipelineSpecSchema.parse({ name: 'p', steps: [{ id: 'a', type: 'model', model: 'm' }], output: 'a' }),
    pins: { m: { name: 'm', version: '1' } },
  };
  const ctx: ChunkContext = {
    batchId: 'b',
    pinned,
    workflowId: 'batch-b',
    runId: 'r',
    decidedAt: 'now',
    pipelineMs: 3,
  };
  const call = { step: 'a', model: 'm', version: '1', arm: 'primary' as const, status: 'ok' as const };
  const row = (score: number) => ({
    kind: 'scored' as const,
    score,
    degraded: false,
    notes: ['a note'],
    calls: [{ ...call, score, output: { score }, latencyMs: 1, late: false }],
    outputs: {},
  });
  const c = { caseId: 'c-1', input: { x: 1 }, line: 4 };

  it.each([
    [0.9, 'decline'],
    [0.5, 'review'],
    [0.1, 'approve'],
  ] as const)('decides %s by the thresholds as %s', async (score, outcome) => {
    const d = await decideScored(c, row(score), ctx);
    expect(d).toMatchObject({ decisionId: 'batch-b-c-1', outcome, score, workflowId: 'batch-b', late: [] });
    expect(d.reasons.at(-1)).toBe('a note');
    expect(d.thresholds).toEqual({ decline: 0.8, review: 0.4 });
  });

  it('decides by the rule set when there is one, with models.<step> facts and no similar cases', async () => {
    const spec = RuleSetSpecSchema.parse({
      name: 'r',
      rules: [
        {
          name: 'hi-a',
          when: { fact: 'models', path: '$.a.score', operator: 'greaterThan', value: 0.3 },
          outcome: 'review',
          reason: 'a is {models.a.score}',
        },
      ],
      default: { outcome: 'approve', reason: 'fine' },
    });
    const d = await decideScored(c, row(0.35), { ...ctx, rules: { name: 'r', version: '4', spec } });
    expect(d).toMatchObject({
      outcome: 'review',
      reasons: ['a is 0.350', 'a note'],
      rules: { name: 'r', version: '4', matched: ['hi-a'] },
    });
    // The thresholds decided nothing: the record does not carry them.
    expect(d).not.toHaveProperty('thresholds');
  });
});
