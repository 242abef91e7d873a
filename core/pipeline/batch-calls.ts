import jsonata from 'jsonata';
import { Failure } from '../failures';
import type { Arm, PinnedPipeline } from './types';
import type { ModelStep } from './spec';
import { callResult, RowState, rowsOfIssues, type BatchPredict } from './batch-rows';

/** One batched model call, for the chunk's summary (`batch_chunks.calls`). */
export interface ChunkCall {
  step: string;
  model: string;
  version: string;
  arm: Arm;
  rows: number;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** A row and the input its model step gets. */
export interface RowInput {
  i: number;
  input: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What every step of one batch run shares: the rows, the pins, the model caller, compiled expressions. */
export class BatchContext {
  readonly rows: RowState[];
  readonly calls: ChunkCall[] = [];
  private readonly compiled = new Map<string, jsonata.Expression>();

  constructor(
    readonly pinned: PinnedPipeline,
    inputs: readonly Record<string, unknown>[],
    private readonly predict: BatchPredict,
    /** Each row's decision id (canary buckets); absent in a batch, where every row takes the primary. */
    readonly keys?: readonly string[],
  ) {
    this.rows = inputs.map((input) => new RowState(input));
  }

  row(i: number): RowState {
    const row = this.rows[i];
    if (!row) throw new Error(`batch bug: no row ${i}`);
    return row;
  }

  /** The rows of `idx` still being scored. */
  live(idx: readonly number[]): number[] {
    return idx.filter((i) => this.rows[i]?.live);
  }

  /** A row's expression value; a failing expression fails that row only (`Pipeline.ExpressionFailed`). */
  async evaluate(i: number, expression: string, where: string): Promise<{ value: unknown } | undefined> {
    const row = this.row(i);
    try {
      let expr = this.compiled.get(expression);
      if (!expr) this.compiled.set(expression, (expr = jsonata(expression)));
      return { value: (await expr.evaluate(row.scope())) as unknown };
    } catch (err) {
      row.error = { type: Failure.Pipeline.ExpressionFailed, message: `${where}: ${(err as Error).message}` };
      return undefined;
    }
  }

  /** Each live row's input for a model step: the case, or the step's mapping over `{ case, steps }`. */
  async inputsOf(step: ModelStep, idx: readonly number[]): Promise<RowInput[]> {
    const entries: RowInput[] = [];
    for (const i of this.live(idx)) {
      if (!step.input) {
        entries.push({ i, input: this.row(i).input });
        continue;
      }
      const got = await this.evaluate(i, step.input, `step ${step.id} input`);
      if (!got) continue;
      if (isRecord(got.value)) entries.push({ i, input: got.value });
      else
        this.row(i).error = {
          type: Failure.Pipeline.ExpressionFailed,
          message: `step ${step.id}: input mapping gave no object`,
        };
    }
    return entries;
  }

  /**
   * One call of the step's model for the rows; returns the outputs by row. A model's input rejection
   * rejects the rows it names (as a decision rejects its case) and asks again for the rest; one that
   * names no row is asked row by row. A failure is noted on each row, as the interpreter notes it.
   * With `rejectInvalid: false` (stacking) an input rejection only fails the call, and nothing is noted.
   */
  async call(
    step: ModelStep,
    arm: Arm,
    entries: RowInput[],
    rejectInvalid = true,
  ): Promise<Map<number, Record<string, unknown>>> {
    const answered = new Map<number, Record<string, unknown>>();
    const model = this.pinned.pins[step.model];
    if (!model) throw new Error(`pipeline bug: model ${step.model} was not pinned`);
    let pending = entries;
    while (pending.length > 0) {
      const result = await this.predict(
        model,
        step,
        pending.map((e) => e.input),
      );
      this.calls.push({
        ...{ step: step.id, model: model.name, version: model.version, arm, rows: pending.length },
        ...{ ok: result.ok, latencyMs: result.latencyMs, ...(result.ok ? {} : { error: result.error.message }) },
      });
      if (result.ok) {
        pending.forEach((e, k) => answered.set(e.i, result.outputs[k] ?? {}));
        for (const e of pending)
          this.row(e.i).calls.push(callResult(step.id, model, arm, answered.get(e.i), result.latencyMs));
        return answered;
      }
      const invalid = rejectInvalid && result.error.type === Failure.Model.InvalidInput;
      const named = invalid ? rowsOfIssues(result.error.issues ?? [], pending.length) : new Map<number, never>();
      if (named.size > 0) {
        for (const [k, issues] of named) this.row(pending[k]?.i ?? -1).rejected = issues;
        pending = pending.filter((_, k) => !named.has(k));
        continue;
      }
      if (invalid && pending.length > 1) {
        for (const e of pending) for (const [i, out] of await this.call(step, arm, [e])) answered.set(i, out);
        return answered;
      }
      const note = `${step.id}: ${model.name}@${model.version} failed (${result.error.message})`;
      for (const e of pending) {
        const row = this.row(e.i);
        row.calls.push(callResult(step.id, model, arm, undefined, result.latencyMs));
        if (invalid) row.rejected = result.error.issues ?? [{ path: 'input', message: result.error.message }];
        else if (arm !== 'stacking') row.notes.push(note);
      }
      return answered;
    }
    return answered;
  }
}
