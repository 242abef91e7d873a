import type { Pool } from 'pg';
import { z } from 'zod';
import { ModelResultSchema, ThresholdsSchema } from '../core/decision';
import type { LabelledStepCalls } from '../core/lab/fit-spec';
import { MemberScoreSchema } from '../core/feedback';
import { BacktestRequestSchema, type BacktestCursor } from '../core/lab/backtest';
import { BacktestReportSchema, type BacktestCase } from '../core/lab/report';
import { OutcomeSchema } from '../core/outcome';
import { LabelSchema, SimilarCaseSchema } from '../core/similar';
import * as sql from './lab-sql';

/** Which past decisions a backtest replays. */
export interface Selection {
  pipeline: string;
  since?: string;
  until?: string;
  decisionIds?: readonly string[];
}

/** A past decision as a backtest replays it. */
export const SelectedRowSchema = z
  .object({
    decision_id: z.string(),
    case_id: z.string(),
    decided_at_text: z.string(),
    input: z.record(z.string(), z.unknown()),
    outcome: OutcomeSchema,
    score: z.number(),
    label: LabelSchema.nullable(),
    thresholds: ThresholdsSchema.nullable(),
    similar_cases: z.array(SimilarCaseSchema).nullable(),
    workflow_id: z.string(),
  })
  .transform((r) => ({
    decisionId: r.decision_id,
    caseId: r.case_id,
    decidedAt: r.decided_at_text,
    input: r.input,
    outcome: r.outcome,
    score: r.score,
    label: r.label,
    thresholds: r.thresholds,
    similar: r.similar_cases,
    workflowId: r.workflow_id,
  }));
export type SelectedDecision = z.output<typeof SelectedRowSchema>;

const CaseRowSchema = z
  .object({
    decision_id: z.string(),
    case_id: z.string(),
    decided_outcome: OutcomeSchema,
    decided_score: z.number(),
    candidate_outcome: OutcomeSchema.nullable(),
    candidate_score: z.number().nullable(),
    label: LabelSchema.nullable(),
    members: z.array(MemberScoreSchema),
    error: z.string().nullable(),
  })
  .transform((r): BacktestCase => ({
    decisionId: r.decision_id,
    caseId: r.case_id,
    decided: { outcome: r.decided_outcome, score: r.decided_score },
    candidate:
      r.candidate_outcome === null || r.candidate_score === null
        ? null
        : { outcome: r.candidate_outcome, score: r.candidate_score },
    label: r.label,
    members: r.members,
    error: r.error,
  }));

/** A backtest as stored: what was asked, where it stands, and its report once done. */
export const StoredBacktestSchema = z
  .object({
    backtest_id: z.string(),
    workflow_id: z.string(),
    request: BacktestRequestSchema,
    pipeline: z.string(),
    pipeline_version: z.string(),
    rule_set: z.string().nullable(),
    rule_set_version: z.string().nullable(),
    against: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    total: z.number().int().nullable(),
    replayed: z.number().int(),
    failed: z.number().int(),
    report: BacktestReportSchema.nullable(),
    last_error: z.string().nullable(),
    actor: z.string().nullable(),
    started_at: z.date(),
    finished_at: z.date().nullable(),
  })
  .transform((r) => ({
    backtestId: r.backtest_id,
    workflowId: r.workflow_id,
    pipeline: { name: r.pipeline, version: r.pipeline_version },
    rules: r.rule_set && r.rule_set_version ? { name: r.rule_set, version: r.rule_set_version } : null,
    against: r.against,
    status: r.status,
    total: r.total,
    replayed: r.replayed,
    failed: r.failed,
    since: r.request.since ?? null,
    until: r.request.until ?? null,
    seed: r.request.seed,
    actor: r.actor,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    lastError: r.last_error,
    report: r.report,
  }));
export type StoredBacktest = z.output<typeof StoredBacktestSchema>;

/** A labelled decision's model calls by step, as `pipelines fit` reads them. */
const StepCallsRowSchema = z
  .object({
    decision_id: z.string(),
    label: LabelSchema,
    models: z.array(ModelResultSchema),
    calls: z.array(z.object({ step: z.string(), arm: z.string(), status: z.string(), score: z.unknown() })),
  })
  .transform((r): LabelledStepCalls => ({
    decisionId: r.decision_id,
    label: r.label,
    calls: (r.calls.length > 0 ? r.calls : r.models).map((c) => ({
      step: c.step,
      arm: c.arm,
      score: c.status === 'ok' && typeof c.score === 'number' ? c.score : null,
    })),
  }));

const selectionArgs = (s: Selection) => [s.pipeline, s.since ?? null, s.until ?? null, s.decisionIds ?? null];

/** The backtest tables. Nothing here writes to `decisions`. */
export class BacktestStore {
  constructor(readonly pool: Pool) {}

  async countSelected(s: Selection): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(sql.COUNT_SELECTED, selectionArgs(s));
    return rows[0]?.n ?? 0;
  }

  async latestRuleSet(s: Selection): Promise<{ name: string; version: string } | null> {
    const { rows } = await this.pool.query<{ rule_set: string; rule_set_version: string }>(
      sql.LATEST_RULE_SET,
      selectionArgs(s),
    );
    const row = rows[0];
    return row ? { name: row.rule_set, version: row.rule_set_version } : null;
  }

  async readSelected(s: Selection, after: BacktestCursor, limit: number): Promise<SelectedDecision[]> {
    const args = [...selectionArgs(s), after?.decidedAt ?? null, after?.decisionId ?? null, limit];
    const { rows } = await this.pool.query(sql.READ_SELECTED, args);
    return rows.map((r) => SelectedRowSchema.parse(r));
  }

  async start(b: {
    backtestId: string;
    workflowId: string;
    request: unknown;
    pipeline: { name: string; version: string };
    rules: { name: string; version: string } | null;
    against: string;
    total: number;
    actor: string | null;
  }): Promise<void> {
    await this.pool.query(sql.START_BACKTEST, [
      ...[b.backtestId, b.workflowId, JSON.stringify(b.request), b.pipeline.name, b.pipeline.version],
      ...[b.rules?.name ?? null, b.rules?.version ?? null, b.against, b.total, b.actor],
    ]);
  }

  /** One chunk's cases, in one statement, then the backtest's counts. */
  async recordCases(backtestId: string, cases: readonly (BacktestCase & { decidedAt: string })[]): Promise<void> {
    const col = <T>(f: (c: BacktestCase & { decidedAt: string }) => T) => cases.map(f);
    await this.pool.query(sql.RECORD_CASES, [
      backtestId,
      ...[col((c) => c.decisionId), col((c) => c.caseId), col((c) => c.decidedAt)],
      ...[col((c) => c.decided.outcome), col((c) => c.decided.score), col((c) => c.candidate?.outcome ?? null)],
      ...[col((c) => c.candidate?.score ?? null), col((c) => c.label), col((c) => JSON.stringify(c.members))],
      col((c) => c.error),
    ]);
    await this.pool.query(sql.COUNT_CASES, [backtestId]);
  }

  async cases(backtestId: string): Promise<BacktestCase[]> {
    const { rows } = await this.pool.query(sql.BACKTEST_CASES, [backtestId]);
    return rows.map((r) => CaseRowSchema.parse(r));
  }

  async finish(
    backtestId: string,
    status: 'done' | 'failed',
    report: unknown,
    lastError: string | null,
  ): Promise<void> {
    await this.pool.query(sql.FINISH_BACKTEST, [
      backtestId,
      status,
      report === null ? null : JSON.stringify(report),
      lastError,
    ]);
  }

  /** A backtest by id, or undefined. */
  async get(backtestId: string): Promise<StoredBacktest | undefined> {
    const { rows } = await this.pool.query(sql.GET_BACKTEST, [backtestId]);
    return rows[0] === undefined ? undefined : StoredBacktestSchema.parse(rows[0]);
  }

  /** A pipeline's labelled decisions with their model calls by step, oldest first. */
  async labelledStepCalls(pipeline: string): Promise<LabelledStepCalls[]> {
    const { rows } = await this.pool.query(sql.LABELLED_STEP_CALLS, [pipeline]);
    return rows.map((r) => StepCallsRowSchema.parse(r));
  }

  async exists(backtestId: string): Promise<boolean> {
    return (await this.pool.query(sql.BACKTEST_EXISTS, [backtestId])).rows.length > 0;
  }
}
