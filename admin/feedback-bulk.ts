import { createHash } from 'node:crypto';
import { toCaseIssues, type CaseIssue } from '../core/case';
import { Failure } from '../core/failures';
import type { Feedback, FeedbackReceipt } from '../core/feedback';
import {
  BulkFeedbackRowSchema,
  type BulkFeedbackReport,
  type BulkFeedbackRow,
  type BulkFeedbackRowResult,
  type FeedbackInputRow,
} from '../core/feedback-bulk';
import { DecisionNotFoundError, type FeedbackError, type FeedbackStore } from '../stores/feedback-store';
import { labelCaseVector } from '../stores/feedback-vector';
import { toStoreFailure } from '../stores/pg-errors';
import type { VectorStore } from '../stores/vector';

/** What bulk feedback runs on: the feedback store and, when there is one, the case vectors. */
export interface BulkFeedbackDeps {
  store: FeedbackStore;
  /** @default none: only the decision log is labelled */
  vectors?: VectorStore;
  /** Rows per statement. @default 500 */
  chunkSize?: number;
}

type Failed = Extract<BulkFeedbackRowResult, { status: 'failed' }>;
/** A valid row, its decision resolved: `at` its index in the input, `row` its number for people. */
type Ready = { at: number; row: number; feedback: Feedback & { feedbackId: string } };

const failed = (row: number, id: string | null, type: string, message: string, issues?: CaseIssue[]): Failed => ({
  row,
  status: 'failed',
  id,
  type,
  message,
  ...(issues ? { issues } : {}),
});

/** The id a row names, valid or not, for the report. */
function idOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const { decisionId, caseId } = value as { decisionId?: unknown; caseId?: unknown };
  if (typeof decisionId === 'string') return decisionId;
  return typeof caseId === 'string' ? caseId : null;
}

/**
 * A row without a feedback id gets one from the whole request and its place in it: sending the same
 * file (or body) again changes nothing, so a run cut short can simply be run again.
 */
function defaultIdPrefix(input: readonly FeedbackInputRow[]): string {
  const digest = createHash('sha256').update(JSON.stringify(input.map((r) => [r.row, r.value, r.unreadable ?? null])));
  return `bulk-${digest.digest('hex').slice(0, 16)}`;
}

function failureOf(row: number, err: FeedbackError): Failed {
  const type = err instanceof DecisionNotFoundError ? Failure.Feedback.DecisionNotFound : Failure.Feedback.Conflict;
  return failed(row, err.decisionId, type, err.message);
}

/** The receipt with its case vector labelled; a vector failure is noted on it, never fails the row. */
async function withVector(vectors: VectorStore | undefined, receipt: FeedbackReceipt): Promise<FeedbackReceipt> {
  return labelCaseVector(vectors, receipt).catch((err: unknown) => ({
    ...receipt,
    vectorNote: err instanceof Error ? err.message : String(err),
  }));
}

/** The decision a row names: its `decisionId`, else its case's only decision; or why there is none. */
function decisionOf(p: BulkFeedbackRow, row: number, byCase: ReadonlyMap<string, string[]>): string | Failed {
  if (p.decisionId !== undefined) return p.decisionId;
  const caseId = p.caseId ?? '';
  const ids = byCase.get(caseId) ?? [];
  const [only, ...more] = ids;
  if (only === undefined)
    return failed(row, caseId, Failure.Feedback.DecisionNotFound, `no decision for case ${caseId}`);
  if (more.length === 0) return only;
  const message = `case ${caseId} has ${ids.length} decisions (${ids.join(', ')}): give decisionId`;
  return failed(row, caseId, Failure.Feedback.AmbiguousCase, message);
}

type Results = (BulkFeedbackRowResult | undefined)[];

/** Each row validated; an unreadable or invalid one is failed in `results` (and undefined here). */
function validate(input: readonly FeedbackInputRow[], results: Results): (BulkFeedbackRow | undefined)[] {
  return input.map((r, at) => {
    if (r.unreadable !== undefined) {
      results[at] = failed(r.row, null, Failure.Feedback.Invalid, `unreadable row: ${r.unreadable}`);
      return undefined;
    }
    const parsed = BulkFeedbackRowSchema.safeParse(r.value);
    if (parsed.success) return parsed.data;
    const issues = toCaseIssues(parsed.error);
    const message = `invalid feedback: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
    results[at] = failed(r.row, idOf(r.value), Failure.Feedback.Invalid, message, issues);
    return undefined;
  });
}

/**
 * The feedback to record, one per feedback id; a later row with an id already taken is a duplicate,
 * settled from the first one's fate (`settleDuplicates`).
 */
function plan(
  input: readonly FeedbackInputRow[],
  valid: readonly (BulkFeedbackRow | undefined)[],
  byCase: ReadonlyMap<string, string[]>,
  results: Results,
  actor: string | undefined,
): { ready: Ready[]; duplicates: { item: Ready; of: Ready }[] } {
  const prefix = defaultIdPrefix(input);
  const ready: Ready[] = [];
  const duplicates: { item: Ready; of: Ready }[] = [];
  const firstById = new Map<string, Ready>();
  valid.forEach((p, at) => {
    const row = input[at]?.row;
    if (p === undefined || row === undefined) return;
    const decisionId = decisionOf(p, row, byCase);
    if (typeof decisionId !== 'string') {
      results[at] = decisionId;
      return;
    }
    const { label, source, note } = p;
    const feedbackId = p.feedbackId ?? `${prefix}-${row}`;
    const item: Ready = { at, row, feedback: { decisionId, label, source, note, feedbackId, actor } };
    const first = firstById.get(feedbackId);
    if (first) duplicates.push({ item, of: first });
    else {
      firstById.set(feedbackId, item);
      ready.push(item);
    }
  });
  return { ready, duplicates };
}

/** Records one statement's worth of rows, then labels their case vectors. */
async function recordChunk(store: FeedbackStore, vectors: VectorStore | undefined, chunk: Ready[], results: Results) {
  let outcomes: (FeedbackReceipt | FeedbackError)[];
  try {
    outcomes = await store.recordMany(chunk.map((r) => r.feedback));
  } catch (err) {
    // The whole statement failed (the database, not a row): its rows fail, the next chunk is tried.
    const f = toStoreFailure(err, 'recording feedback');
    for (const { at, row, feedback } of chunk) {
      results[at] = failed(row, feedback.decisionId, f.type ?? Failure.Store.Rejected, f.message);
    }
    return;
  }
  for (const [k, { at, row }] of chunk.entries()) {
    const outcome = outcomes[k];
    if (outcome === undefined) continue;
    if (outcome instanceof Error) {
      results[at] = failureOf(row, outcome);
      continue;
    }
    const receipt = await withVector(vectors, outcome);
    results[at] = { row, status: receipt.changed ? 'applied' : 'unchanged', receipt };
  }
}

/** A repeated feedback id: unchanged on the same decision (or failed as its first row did), else a conflict. */
function settleDuplicates(duplicates: readonly { item: Ready; of: Ready }[], results: Results): void {
  for (const { item, of } of duplicates) {
    const first = results[of.at];
    const { decisionId, feedbackId } = item.feedback;
    if (decisionId !== of.feedback.decisionId) {
      const message = `feedback id ${feedbackId} is row ${of.row}'s, for decision ${of.feedback.decisionId}`;
      results[item.at] = failed(item.row, decisionId, Failure.Feedback.Conflict, message);
    } else if (first?.status === 'failed') {
      const message = `same feedback id as row ${of.row}, which failed: ${first.message}`;
      results[item.at] = { ...first, row: item.row, message };
    } else if (first) {
      results[item.at] = { row: item.row, status: 'unchanged', receipt: { ...first.receipt, changed: false } };
    }
  }
}

/**
 * Applies many feedbacks, each as `decisions feedback <id>` would (same fields, same idempotency by
 * feedback id, the case vector labelled too), in statements of `chunkSize` rows. A bad row is
 * reported with its row number, id and why; it never stops the others.
 * @param options.actor who sends them (an API key's name, `cli:<os user>`), recorded on each row @default unrecorded
 */
export async function applyFeedbackRows(
  { store, vectors, chunkSize = 500 }: BulkFeedbackDeps,
  input: readonly FeedbackInputRow[],
  options: { actor?: string } = {},
): Promise<BulkFeedbackReport> {
  const results: Results = input.map(() => undefined);
  const valid = validate(input, results);
  const byCase = await store.decisionsOfCases(valid.flatMap((p) => (p?.caseId ? [p.caseId] : [])));
  const { ready, duplicates } = plan(input, valid, byCase, results, options.actor);
  for (let i = 0; i < ready.length; i += chunkSize) {
    await recordChunk(store, vectors, ready.slice(i, i + chunkSize), results);
  }
  settleDuplicates(duplicates, results);
  const rows = results.filter((r): r is BulkFeedbackRowResult => r !== undefined);
  const count = (status: BulkFeedbackRowResult['status']) => rows.filter((r) => r.status === status).length;
  return { applied: count('applied'), unchanged: count('unchanged'), failed: count('failed'), rows };
}
