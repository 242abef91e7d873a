import type { CaseIssue } from '../case';
import type { ModelResult } from '../decision';
import { Failure } from '../failures';
import type { PinnedModel } from '../model-ref';
import type { ModelStep, PipelineSpec } from './spec';

/** Why a batched model call failed, as the evaluator needs it. */
export interface BatchCallError {
  type?: string;
  message: string;
  /** `Model.InvalidInput`: the field-level problems, paths `inputs.<row>.<field>` (or `input.<field>`). */
  issues?: CaseIssue[];
}

/** One model call for many rows: `outputs[i]` answers row `i`. */
export type BatchCallResult =
  | { ok: true; outputs: Record<string, unknown>[]; latencyMs: number }
  | { ok: false; error: BatchCallError; latencyMs: number };

/**
 * Calls a pinned model once for many rows and never rejects: retries, time limits and error
 * classification belong to the caller (the `scoreChunk` activity).
 */
export type BatchPredict = (
  model: PinnedModel,
  step: ModelStep,
  rows: readonly Record<string, unknown>[],
) => Promise<BatchCallResult>;

/** One row's run through the pipeline: the per-case interpreter's `RunState`, for one case of many. */
export class RowState {
  readonly outputs: Record<string, Record<string, unknown>> = {};
  readonly notes: string[] = [];
  readonly calls: ModelResult[] = [];
  degraded = false;
  /** A model refused the case's input: the case is rejected, as a decision would reject it. */
  rejected: CaseIssue[] | undefined;
  /** The row cannot be scored (a bad expression, no result). */
  error: { type: string; message: string } | undefined;

  constructor(readonly input: Record<string, unknown>) {}

  /** Still being scored: neither rejected nor failed. */
  get live(): boolean {
    return this.rejected === undefined && this.error === undefined;
  }

  /** What mapping and switch expressions see, as in the per-case interpreter. */
  scope(): { case: Record<string, unknown>; steps: Record<string, Record<string, unknown>> } {
    return { case: this.input, steps: this.outputs };
  }
}

/** What one row came to. */
export type RowResult =
  | {
      kind: 'scored';
      score: number;
      degraded: boolean;
      notes: string[];
      calls: ModelResult[];
      outputs: Record<string, Record<string, unknown>>;
    }
  | { kind: 'rejected'; issues: CaseIssue[] }
  | { kind: 'failed'; error: { type: string; message: string } };

/**
 * The rows a model's input rejection names, with their issues as a single-case call would name them
 * (`input.<field>`): `inputs.<i>.…` in a batch, `input.…` when the call had one row.
 */
export function rowsOfIssues(issues: readonly CaseIssue[], rows: number): Map<number, CaseIssue[]> {
  const found = new Map<number, CaseIssue[]>();
  for (const issue of issues) {
    const batch = /^inputs\.(\d+)(\..*)?$/.exec(issue.path);
    const single = rows === 1 && /^input(\..*)?$/.exec(issue.path);
    const index = batch ? Number(batch[1]) : single ? 0 : undefined;
    if (index === undefined || index >= rows) continue;
    const rest = batch ? (batch[2] ?? '') : issue.path.slice('input'.length);
    found.set(index, [...(found.get(index) ?? []), { path: `input${rest}`, message: issue.message }]);
  }
  return found;
}

/**
 * A row's result, by the interpreter's rules: the output step's `score`; without an output, the
 * spec's `onDeadline` score when something went wrong on the way (batch has no deadline, so only
 * failures count), else `Pipeline.NoResult`; an output without a numeric score is `Pipeline.NoScore`.
 */
export function finishRow(row: RowState, spec: PipelineSpec, label: string): RowResult {
  if (row.rejected) return { kind: 'rejected', issues: row.rejected };
  if (row.error) return { kind: 'failed', error: row.error };
  const output = row.outputs[spec.output];
  let score: number | null = typeof output?.score === 'number' ? output.score : null;
  if (!output) {
    if (!spec.onDeadline || row.notes.length === 0) {
      const why = row.notes.join('; ') || 'no output';
      return {
        kind: 'failed',
        error: { type: Failure.Pipeline.NoResult, message: `${label} produced no '${spec.output}': ${why}` },
      };
    }
    score = spec.onDeadline.score;
    row.degraded = true;
    row.notes.push(spec.onDeadline.reason);
  }
  if (score === null) {
    const message = `${label}: output '${spec.output}' has no numeric score`;
    return { kind: 'failed', error: { type: Failure.Pipeline.NoScore, message } };
  }
  return {
    kind: 'scored',
    score,
    degraded: row.degraded,
    notes: [...row.notes],
    calls: row.calls,
    outputs: row.outputs,
  };
}

/** A row's model call, as the decision keeps it (`decisions.models`). */
export function callResult(
  step: string,
  model: PinnedModel,
  arm: ModelResult['arm'],
  output: Record<string, unknown> | undefined,
  latencyMs: number,
): ModelResult {
  const score = output?.score;
  return {
    step,
    model: model.name,
    version: model.version,
    arm,
    status: output ? 'ok' : 'failed',
    score: typeof score === 'number' ? score : null,
    output: output ?? null,
    latencyMs,
    late: false,
  };
}
