import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { BatchClient } from '../client/batch';
import { PipelinesAdmin } from '../admin/pipelines';
import { readRuleSetFile } from '../admin/rules';
import type { BatchProgress } from '../core/batch/progress';
import { batchWorkflowId } from '../core/batch/schema';
import { applyThresholds, DEFAULT_THRESHOLDS } from '../core/decision';
import { evaluateRules } from '../core/rules/evaluate';
import { buildFacts } from '../core/rules/facts';
import { RuleSetSpecSchema } from '../core/rules/spec';
import { BatchStore } from '../stores/batch-store';
import { PROJECT_ROOT } from '../config/env';
import { BAD_CASES } from './helpers/bad-cases';
import { MODELS_DIR } from './helpers/models';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

// A real dev server, a real database, the real demo models; one of each for the suite (STYLE rule 10).
let suite: TestOrchestrator;
let batches: BatchClient;
let store: BatchStore;
let holdout: DemoCase[];
let dir: string;
const uniq = (p: string) => `${p}-${randomBytes(3).toString('hex')}`;
const BAD_LINES = new Map([
  [10, '{"caseId": "broken", "input": {'],
  [50, '{"caseId": "no-input"}'],
  [90, 'BAD_TYPE'],
]);

beforeAll(async () => {
  [suite, holdout, dir] = await Promise.all([
    startTestOrchestrator('batch'),
    loadHoldout(),
    mkdtemp(join(tmpdir(), 'arbiter-batch-')),
  ]);
  batches = new BatchClient(suite.client.temporal, suite.taskQueue);
  store = new BatchStore(suite.db.pool);
  const { pipelines, registry } = suite.runtime.models;
  // Deterministic (no canary, shadow or deadline): batch and per-case scores must be equal, not close.
  await new PipelinesAdmin(pipelines, registry).apply({
    name: 'batch-same',
    steps: [
      {
        id: 'both',
        type: 'parallel',
        steps: [
          { id: 'gb', type: 'model', model: 'phishing-gb:champion' },
          { id: 'nn', type: 'model', model: 'phishing-tfjs:champion' },
        ],
      },
      { id: 'out', type: 'combine', method: 'mean', inputs: ['gb', 'nn'] },
    ],
    output: 'out',
  });
}, 180_000);

afterAll(async () => {
  await suite?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** 120 held-out cases with unique ids and 3 bad lines at 10, 50 and 90. */
async function ndjson(prefix: string): Promise<{ path: string; cases: DemoCase[] }> {
  const cases = holdout.slice(0, 120).map((c) => ({ ...c, caseId: `${prefix}-${c.caseId}` }));
  const lines: string[] = [];
  for (const c of cases) {
    while (BAD_LINES.has(lines.length + 1)) {
      const bad = BAD_LINES.get(lines.length + 1) ?? '';
      const badType = JSON.stringify({ caseId: `${prefix}-bad-type`, input: { ...c.input, https: 'yes' } });
      lines.push(bad === 'BAD_TYPE' ? badType : bad);
    }
    lines.push(JSON.stringify({ caseId: c.caseId, input: c.input }));
  }
  const path = join(dir, `${prefix}.ndjson`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return { path, cases };
}

async function decisionsOf(batchId: string) {
  const { rows } = await suite.db.pool.query<{
    case_id: string;
    score: number;
    outcome: string;
    models: { step: string; score: number | null }[];
    workflow_id: string;
    run_id: string;
    degraded: boolean;
    rule_set: string | null;
    rules_matched: string[];
    reasons: string[];
  }>(`SELECT * FROM decisions WHERE decision_id LIKE $1 ORDER BY case_id`, [`batch-${batchId}-%`]);
  return rows;
}

async function pending(ids: string[]) {
  const { rows } = await suite.db.pool.query<{ case_id: string; outcome: string | null; decided_at: Date | null }>(
    'SELECT case_id, outcome, decided_at FROM pending_cases WHERE case_id = ANY($1) ORDER BY case_id',
    [ids],
  );
  return rows;
}

describe('batch decisions from an NDJSON file', () => {
  it('decides every valid line once in chunks, across continue-as-new, reporting bad lines with their numbers', async () => {
    const { path, cases } = await ndjson(uniq('file'));
    const batchId = uniq('b');
    await batches.start({
      batchId,
      source: { kind: 'file', path },
      pipeline: 'batch-same',
      chunkSize: 25,
      chunksPerRun: 2,
    });
    const seen: BatchProgress[] = [];
    const done = await batches.wait(batchId, (p) => seen.push(p), 50);
    expect(seen.some((p) => p.state === 'running')).toBe(true);
    expect(done).toMatchObject({
      state: 'done',
      total: 123,
      read: 123,
      decided: 120,
      alreadyRecorded: 0,
      rejected: 3,
      failed: 0,
      chunks: 5,
      runs: 3,
      pipeline: { name: 'batch-same', version: '1' },
    });
    expect(done.byOutcome.approve + done.byOutcome.review + done.byOutcome.decline).toBe(120);
    expect(done.rejections.map((r) => [r.line, r.issues[0]?.path])).toEqual([
      [10, '(line)'],
      [50, 'input'],
      [90, 'input.https'],
    ]);
    expect(await batches.progress(batchId)).toEqual(done);

    const rows = await decisionsOf(batchId);
    expect(rows.map((r) => r.case_id)).toEqual(cases.map((c) => c.caseId).sort());
    for (const r of rows) {
      expect(r.outcome).toBe(applyThresholds(r.score, DEFAULT_THRESHOLDS).outcome);
      expect(r.workflow_id).toBe(batchWorkflowId(batchId));
    }
    expect(new Set(rows.map((r) => r.run_id)).size).toBe(3);
    expect((await store.listRejections(batchId)).map((r) => r.line)).toEqual([10, 50, 90]);
    expect(await store.getBatch(batchId)).toMatchObject({ status: 'done', total: 123 });
  });

  it('scores exactly as the per-case decision workflow does, and records nothing twice when re-run', async () => {
    const { path, cases } = await ndjson(uniq('same'));
    const batchId = uniq('b');
    const source = { kind: 'file' as const, path };
    await batches.start({ batchId, source, pipeline: 'batch-same', chunkSize: 40 });
    await batches.wait(batchId);
    const byCase = new Map((await decisionsOf(batchId)).map((r) => [r.case_id, r]));
    for (const c of cases.filter((_, i) => i % 24 === 0)) {
      const online = await suite.client.decide(
        { caseId: uniq(c.caseId), input: c.input },
        { pipeline: 'batch-same', review: { timeoutMs: 500 } },
      );
      const batch = byCase.get(c.caseId);
      expect(batch?.score).toBe(online.score);
      for (const step of ['gb', 'nn']) {
        expect(batch?.models.find((m) => m.step === step)?.score).toBe(
          online.models.find((m) => m.step === step)?.score,
        );
      }
    }
    await batches.start({ batchId, source, pipeline: 'batch-same', chunkSize: 40 });
    const again = await batches.wait(batchId);
    expect(again).toMatchObject({ state: 'done', decided: 120, alreadyRecorded: 120, rejected: 3 });
    expect(await decisionsOf(batchId)).toHaveLength(120);
  });

  it('runs the demo pipeline (switch, fallback, quorum) with the demo rule set deciding', async () => {
    const { path, cases } = await ndjson(uniq('demo'));
    const batchId = uniq('b');
    await batches.start({ batchId, source: { kind: 'file', path }, rules: 'demo', chunkSize: 50 });
    expect(await batches.wait(batchId)).toMatchObject({
      state: 'done',
      decided: 120,
      failed: 0,
      rules: { name: 'demo' },
    });
    const spec = RuleSetSpecSchema.parse(await readRuleSetFile(join(PROJECT_ROOT, 'demo', 'rules', 'demo.yaml')));
    const tfjs = JSON.parse(
      await readFile(join(MODELS_DIR, 'phishing-tfjs', 'reference-scores.json'), 'utf8'),
    ) as Record<string, number>;
    const original = new Map(cases.map((c, i) => [c.caseId, holdout[i] as DemoCase]));
    for (const r of await decisionsOf(batchId)) {
      const c = original.get(r.case_id) as DemoCase;
      // Batch has no canary: gb is always the champion. The scores are the models' training-time ones.
      const [gb = 0, nn = 0, anomaly = 0] = [
        c.reference['phishing-gb'],
        tfjs[c.caseId],
        c.reference['phishing-iforest'],
      ];
      const expected = anomaly > 0.1 ? Math.max(gb, nn) : 0.6 * gb + 0.4 * nn;
      expect(r.score).toBeCloseTo(expected, 4);
      const facts = buildFacts({
        score: r.score,
        degraded: r.degraded,
        calls: r.models.map((m) => ({ ...m, model: '', version: '' })),
        input: c.input,
        pipeline: { name: 'demo', version: '1' },
        similar: null,
      });
      const verdict = await evaluateRules(spec, facts);
      expect([r.outcome, r.rule_set, r.rules_matched]).toEqual([verdict.outcome, 'demo', verdict.matched]);
    }
  });
  it('rejects each bad input of a file with its line, rule and path, and decides the rest', async () => {
    const prefix = uniq('edge');
    const good = holdout.slice(0, 3).map((c, i) => JSON.stringify({ caseId: `${prefix}-ok-${i}`, input: c.input }));
    const bad = BAD_CASES.map((b, i) => b.json(`${prefix}-bad-${i}`));
    const path = join(dir, `${prefix}.ndjson`);
    await writeFile(path, `${[...bad, ...good].join('\n')}\n`);
    const batchId = uniq('b');
    await batches.start({ batchId, source: { kind: 'file', path }, pipeline: 'batch-same', chunkSize: 4 });
    const done = await batches.wait(batchId);
    expect(done).toMatchObject({ state: 'done', read: bad.length + 3, decided: 3, rejected: bad.length, failed: 0 });
    for (const [i, b] of BAD_CASES.entries()) {
      const rejection = done.rejections.find((r) => r.line === i + 1);
      expect(rejection?.caseId, b.name).toBe(`${prefix}-bad-${i}`);
      expect(rejection?.issues, b.name).toContainEqual(expect.objectContaining({ rule: b.rule, path: b.path }));
    }
    const stored = await store.listRejections(batchId);
    expect(stored.map((r) => r.line)).toEqual(BAD_CASES.map((_, i) => i + 1));
  });

  it('fails a batch whose file is not there at once, saying so in its progress and its record', async () => {
    const batchId = uniq('missing');
    await batches.start({ batchId, source: { kind: 'file', path: join(dir, 'nope.ndjson') }, pipeline: 'batch-same' });
    const failed = await batches.wait(batchId, () => undefined, 100);
    expect(failed).toMatchObject({ state: 'failed', pipeline: { name: 'batch-same' }, decided: 0 });
    expect(failed.lastError).toMatch(/^batch source .*nope\.ndjson: ENOENT/);
    expect(await store.getBatch(batchId)).toMatchObject({ status: 'failed', lastError: failed.lastError });
  });
});

describe('batch decisions from the pending_cases table', () => {
  it('claims pending rows for its pipeline, marks them decided, and a second run finds nothing', async () => {
    const prefix = uniq('t');
    const cases = holdout.slice(120, 150).map((c) => ({ caseId: `${prefix}-${c.caseId}`, input: c.input }));
    const other = { caseId: `${prefix}-other`, input: holdout[0]?.input, pipeline: 'someone-else' };
    const bad = { caseId: `${prefix}-bad`, input: [1, 2, 3] };
    expect(await store.enqueue([...cases, other, bad])).toBe(32);
    const batchId = uniq('tb');
    await batches.start({ batchId, source: { kind: 'table' }, pipeline: 'batch-same', chunkSize: 10 });
    const done = await batches.wait(batchId);
    expect(done).toMatchObject({ state: 'done', total: 31, read: 31, decided: 30, rejected: 1, failed: 0 });
    expect(done.rejections).toEqual([expect.objectContaining({ line: null, caseId: bad.caseId })]);
    const rows = await pending([...cases.map((c) => c.caseId), other.caseId, bad.caseId]);
    const outcome = new Map(rows.map((r) => [r.case_id, r]));
    expect(cases.every((c) => outcome.get(c.caseId)?.decided_at instanceof Date)).toBe(true);
    expect(outcome.get(bad.caseId)).toMatchObject({ outcome: 'rejected', decided_at: null });
    expect(outcome.get(other.caseId)).toMatchObject({ outcome: null, decided_at: null });
    expect((await decisionsOf(batchId)).map((r) => r.case_id)).toEqual(cases.map((c) => c.caseId).sort());

    const second = uniq('tb');
    await batches.start({ batchId: second, source: { kind: 'table' }, pipeline: 'batch-same' });
    expect(await batches.wait(second)).toMatchObject({ state: 'done', total: 0, read: 0, decided: 0 });
  });
  it('claims idempotently per batch and chunk: a retried read gets the same rows, the next chunk the rest', async () => {
    const pipeline = uniq('claims');
    const rows = holdout.slice(160, 165).map((c) => ({ caseId: uniq(`q-${c.caseId}`), input: c.input, pipeline }));
    await store.enqueue(rows);
    const first = await store.claim('x#0', pipeline, 3);
    expect(await store.claim('x#0', pipeline, 3)).toEqual(first);
    const rest = await store.claim('x#1', pipeline, 3);
    expect([...first, ...rest].map((r) => r.caseId).sort()).toEqual(rows.map((r) => r.caseId).sort());
    expect(await store.claim('x#2', pipeline, 3)).toEqual([]);
  });
});

describe('batch schedules', () => {
  it('creates a cron schedule, lists it, triggers a batch that completes, pauses and unpauses it', async () => {
    const name = uniq('nightly');
    const { schedules } = batches;
    try {
      const created = await schedules.create(
        name,
        { cron: '0 3 * * *' },
        { source: { kind: 'table' }, pipeline: 'batch-same' },
      );
      expect(created).toMatchObject({
        name,
        spec: 'cron 0 3 * * *',
        paused: false,
        batch: { source: { kind: 'table' } },
      });
      expect(created.nextRunsAt[0]).toMatch(/T03:00:00/);
      await expect.poll(async () => (await schedules.list()).map((s) => s.name), { timeout: 15_000 }).toContain(name);

      const cases = holdout.slice(150, 155).map((c) => ({ caseId: uniq(`s-${c.caseId}`), input: c.input }));
      await store.enqueue(cases);
      await schedules.trigger(name);
      await expect.poll(async () => (await schedules.describe(name)).recent.length, { timeout: 15_000 }).toBe(1);
      const [run] = (await schedules.describe(name)).recent;
      expect(run?.workflowId.startsWith(`batch-${name}-`)).toBe(true);
      const done = await batches.waitFor(run?.workflowId ?? '', run?.batchId ?? '');
      expect(done).toMatchObject({ state: 'done', decided: 5, batchId: run?.batchId });
      expect(await batches.status(name)).toMatchObject({ state: 'done', batchId: run?.batchId });

      expect(await schedules.pause(name, 'maintenance')).toMatchObject({ paused: true, note: 'maintenance' });
      expect(await schedules.unpause(name)).toMatchObject({ paused: false });
    } finally {
      await schedules.delete(name).catch(() => undefined);
    }
  });
});
