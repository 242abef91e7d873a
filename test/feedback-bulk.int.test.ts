import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecorders } from '../activities/record';
import { DecisionLog } from '../admin/decision-log';
import { applyFeedbackRows } from '../admin/feedback-bulk';
import { parseCsv, parseNdjson } from '../admin/feedback-file';
import { freePort } from '../cli/stack/ports';
import type { BulkFeedbackRowResult } from '../core/feedback-bulk';
import type { DecisionRecord } from '../core/records';
import { openPool } from '../stores/db';
import { DecisionStore } from '../stores/decision-store';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../stores/embedded-pg';
import { FeedbackStore } from '../stores/feedback-store';
import { PgVectorStore } from '../stores/vector/pgvector';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
let log: DecisionLog;
let store: FeedbackStore;
// Vectors on their own PGlite with pgvector: the suite's database may be a PostgreSQL without it.
let vectorPg: EmbeddedPostgres;
let vectorPool: Pool;
let vectors: PgVectorStore;

const EMBEDDING = [1, 0.5, 0.25];

const record = (decisionId: string, caseId: string, pipeline: string): DecisionRecord => ({
  decisionId,
  caseId,
  outcome: 'decline',
  score: 0.9,
  reasons: ['risk score 0.900 ≥ decline threshold 0.8'],
  models: [],
  thresholds: { decline: 0.8, review: 0.4 },
  pipeline: { name: pipeline, version: pipeline === 'adhoc' ? 'adhoc' : '1' },
  degraded: false,
  late: [],
  workflowId: decisionId,
  runId: 'run-1',
  decidedAt: '2026-11-22T10:00:00.000Z',
  input: { x: 1 },
});

async function labelOf(decisionId: string): Promise<string | null | undefined> {
  const { rows } = await db.pool.query<{ label: string | null }>('SELECT label FROM decisions WHERE decision_id = $1', [
    decisionId,
  ]);
  return rows[0]?.label;
}

const statuses = (rows: BulkFeedbackRowResult[]) =>
  rows.map((r) => [r.row, r.status, r.status === 'failed' ? r.type : r.receipt.decisionId]);

beforeAll(async () => {
  db = await createTestDatabase();
  vectorPg = await startEmbeddedPostgres({ port: await freePort() });
  vectorPool = await openPool(vectorPg.url, { max: 2 });
  vectors = new PgVectorStore(vectorPool, {});
  await vectors.init();
  const { recordDecision } = createRecorders(new DecisionStore(db.pool));
  for (const [id, caseId, pipeline] of [
    ['decision-b1', 'b1', 'bulk'],
    ['decision-b2', 'b2', 'bulk'],
    ['decision-b3', 'b3', 'adhoc'],
    // One case decided twice (two batches): its case id alone cannot say which.
    ['batch-1-twice', 'twice', 'bulk'],
    ['batch-2-twice', 'twice', 'bulk'],
    ['decision-c1', 'c1', 'bulk'],
    ['decision-c2', 'c2', 'bulk'],
    ['decision-other', 'other', 'other-pipeline'],
  ] as const) {
    await recordDecision(record(id, caseId, pipeline));
  }
  await vectors.upsert('bulk', [{ id: 'decision-b2', vector: EMBEDDING, metadata: { caseId: 'b2' } }]);
  log = new DecisionLog(db.pool, { vectors });
  store = new FeedbackStore(db.pool);
});

afterAll(async () => {
  await db?.close();
  await vectorPool?.end();
  await vectorPg?.stop();
});

describe('bulk feedback', () => {
  // Line 1 of the file is the first row: rows are numbered by line, so a person finds the bad one.
  const file = [
    '{"decisionId":"decision-b1","label":"fraud","source":"chargeback","note":"disputed"}',
    '{"caseId":"b2","label":"legit"}',
    '',
    '{"decisionId":"decision-b3","label":"maybe"}',
    '{"decisionId":"decision-nobody","label":"fraud"}',
    'not json',
    '{"caseId":"twice","label":"fraud"}',
    '{"decisionId":"decision-b1","label":"fraud","reviewer":"ana"}',
    '{"decisionId":"decision-b3","label":"fraud","feedbackId":"fb-dup"}',
    '{"decisionId":"decision-b3","label":"legit","feedbackId":"fb-dup"}',
    '{"decisionId":"decision-b1","label":"legit","feedbackId":"fb-dup"}',
    '{"decisionId":"decision-b3","label":"fraud","note":"nul \\u0000 here"}',
    '{"label":"fraud"}',
  ].join('\n');

  it('applies the good rows in one go and reports each bad one by row, id and why', async () => {
    const report = await log.applyFeedback(parseNdjson(file));
    expect(statuses(report.rows)).toEqual([
      [1, 'applied', 'decision-b1'],
      [2, 'applied', 'decision-b2'],
      [4, 'failed', 'Feedback.Invalid'],
      [5, 'failed', 'Feedback.DecisionNotFound'],
      [6, 'failed', 'Feedback.Invalid'],
      [7, 'failed', 'Feedback.AmbiguousCase'],
      [8, 'failed', 'Feedback.Invalid'],
      [9, 'applied', 'decision-b3'],
      [10, 'unchanged', 'decision-b3'],
      [11, 'failed', 'Feedback.Conflict'],
      [12, 'failed', 'Feedback.Invalid'],
      [13, 'failed', 'Feedback.Invalid'],
    ]);
    expect(report).toMatchObject({ applied: 3, unchanged: 1, failed: 8 });
    const failed = Object.fromEntries(report.rows.flatMap((r) => (r.status === 'failed' ? [[r.row, r]] : [])));
    expect(failed[4]).toMatchObject({ id: 'decision-b3', issues: [{ path: 'label' }] });
    expect(failed[5]).toMatchObject({ id: 'decision-nobody' });
    expect(failed[5]?.message).toContain('no decision');
    expect(failed[6]).toMatchObject({ id: null });
    expect(failed[6]?.message).toContain('unreadable row');
    expect(failed[7]?.message).toContain('batch-1-twice, batch-2-twice');
    expect(failed[8]).toMatchObject({ issues: [{ path: 'reviewer', message: 'unknown field' }] });
    expect(failed[11]?.message).toContain("fb-dup is row 9's, for decision decision-b3");
    expect(failed[12]?.issues?.[0]?.path).toBe('note');
    expect(failed[12]?.issues?.[0]?.message).toContain('NUL');
    expect(failed[13]?.issues?.[0]?.path).toBe('decisionId');
    expect(failed[13]?.issues?.[0]?.message).toContain('caseId');

    expect([await labelOf('decision-b1'), await labelOf('decision-b2'), await labelOf('decision-b3')]).toEqual([
      'fraud',
      'legit',
      'fraud',
    ]);
    // The same row type `decisions show` and `list` give.
    const shown = await log.show('decision-b1');
    const [entry, ...more] = shown?.decision.feedback ?? [];
    expect(more).toEqual([]);
    expect(entry?.feedbackId).toMatch(/^bulk-[0-9a-f]{16}-1$/);
    expect(entry).toEqual({
      feedbackId: entry?.feedbackId,
      decisionId: 'decision-b1',
      label: 'fraud',
      source: 'chargeback',
      note: 'disputed',
      receivedAt: entry?.receivedAt,
    });
    expect(Number.isNaN(Date.parse(entry?.receivedAt ?? ''))).toBe(false);
    // The pipeline decision's case vector carries the label too; the adhoc one has none to label.
    const [match] = await vectors.query('bulk', EMBEDDING, { topK: 1, filter: { caseId: 'b2' } });
    expect(match?.metadata).toMatchObject({ label: 'legit', caseId: 'b2' });
    const applied = report.rows.filter((r) => r.status === 'applied');
    expect(applied.map((r) => r.receipt.vectorNote)).toEqual([undefined, undefined, undefined]);
  });

  it('changes nothing when the same file comes again (its rows keep their feedback ids)', async () => {
    const before = (await store.feedbackFor('decision-b1')).length;
    const report = await log.applyFeedback(parseNdjson(file));
    expect(report).toMatchObject({ applied: 0, unchanged: 4, failed: 8 });
    expect(await store.feedbackFor('decision-b1')).toHaveLength(before);
  });

  it('reads CSV the same way, and a row labelling a decision again wins over an earlier row', async () => {
    const csv = [
      'decisionId,label,source,note',
      'decision-c1,fraud,analyst,"first, with a comma"',
      'decision-c2,legit,,',
      'decision-c1,legit,analyst,"a ""correction"""',
      'decision-c2,legit,"open quote',
    ].join('\r\n');
    const rows = parseCsv(csv);
    // Chunks of two: the correction lands in another statement than the first label.
    const report = await applyFeedbackRows({ store, chunkSize: 2 }, rows);
    expect(statuses(report.rows)).toEqual([
      [2, 'applied', 'decision-c1'],
      [3, 'applied', 'decision-c2'],
      [4, 'applied', 'decision-c1'],
      [5, 'failed', 'Feedback.Invalid'],
    ]);
    expect([await labelOf('decision-c1'), await labelOf('decision-c2')]).toEqual(['legit', 'legit']);
    const history = await store.feedbackFor('decision-c1');
    expect(history.map((f) => [f.label, f.note])).toEqual([
      ['fraud', 'first, with a comma'],
      ['legit', 'a "correction"'],
    ]);
    expect((await store.feedbackFor('decision-c2'))[0]).not.toHaveProperty('source');
  });

  it('takes the last of several rows for one decision in one statement', async () => {
    const rows = ['legit', 'fraud', 'legit', 'fraud'].map((label, i) => ({
      row: i,
      value: { decisionId: 'decision-other', label, feedbackId: `fb-other-${i}` },
    }));
    const report = await log.applyFeedback(rows);
    expect(report).toMatchObject({ applied: 4, failed: 0 });
    expect(await labelOf('decision-other')).toBe('fraud');
    expect(report.rows.map((r) => r.status !== 'failed' && r.receipt.label)).toEqual([
      'fraud',
      'fraud',
      'fraud',
      'fraud',
    ]);
  });

  it('refuses a feedback id the log already holds for another decision', async () => {
    const report = await log.applyFeedback([
      { row: 0, value: { decisionId: 'decision-b2', label: 'fraud', feedbackId: 'fb-other-0' } },
    ]);
    expect(report.rows[0]).toMatchObject({ status: 'failed', type: 'Feedback.Conflict', id: 'decision-b2' });
    expect(await labelOf('decision-b2')).toBe('legit');
  });
});

describe('the decision log', () => {
  it("lists one pipeline's decisions, with the feedback history show gives", async () => {
    const listed = await log.list({ pipeline: 'bulk', limit: 50 });
    expect(new Set(listed.map((d) => d.pipeline.name))).toEqual(new Set(['bulk']));
    expect(listed.map((d) => d.decisionId).sort()).toEqual(
      ['batch-1-twice', 'batch-2-twice', 'decision-b1', 'decision-b2', 'decision-c1', 'decision-c2'].sort(),
    );
    const c1 = listed.find((d) => d.decisionId === 'decision-c1');
    expect(c1?.feedback).toHaveLength(2);
    expect(c1).toEqual((await log.show('decision-c1'))?.decision);
    expect((await log.list({ pipeline: 'nothing-here' })).length).toBe(0);
  });
});
