import { canaryBucket, stackingRow, type MemberScore } from './combine';
import {
  combineInputs,
  settleParallel,
  takeBranchOutput,
  takeCombined,
  takeFallbackAnswer,
  takeStacked,
  useFallbackDefault,
} from './semantics';
import type { CombineStep, FallbackStep, ModelStep, ParallelStep, Step, SwitchStep } from './spec';
import type { PinnedPipeline } from './types';
import { finishRow, type BatchPredict, type RowResult } from './batch-rows';
import { BatchContext, type ChunkCall, type RowInput } from './batch-calls';
import { quickCompare } from './quick-compare';

// The per-case interpreter (workflows/pipeline/interpreter.ts), step for step, over many rows:
// each model step is ONE call for every row that reaches it; what each step means for a row
// (fallbacks, quorums, combines, switches, their notes) is core/pipeline/semantics.ts, shared. Canary, shadow, placement, cache and the
// latency budget do not apply: every call goes to the step's own model, here, without a deadline —
// except that a backtest, which passes each row's decision id, routes a canary's share as the decision did.

async function runModel(ctx: BatchContext, step: ModelStep, idx: readonly number[]): Promise<void> {
  const entries = await ctx.inputsOf(step, idx);
  if (entries.length === 0) return;
  // With decision keys (a backtest), a canary takes the rows whose decisions it took, as the interpreter does.
  const { canary } = step;
  const keys = ctx.keys;
  const toCanary = (i: number) => !!canary && !!keys && canaryBucket(keys[i] ?? '', step.id) < canary.percent;
  const primary = entries.filter((e) => !toCanary(e.i));
  const canaried = entries.filter((e) => toCanary(e.i));
  if (primary.length > 0)
    for (const [i, output] of await ctx.call(step, 'primary', primary)) ctx.row(i).outputs[step.id] = output;
  if (canary && canaried.length > 0)
    for (const [i, output] of await ctx.call({ ...step, model: canary.model }, 'canary', canaried))
      ctx.row(i).outputs[step.id] = output;
}

async function runFallback(ctx: BatchContext, step: FallbackStep, idx: readonly number[]): Promise<void> {
  let remaining = ctx.live(idx);
  for (const [n, member] of step.chain.entries()) {
    if (remaining.length === 0) break;
    await runModel(ctx, member, remaining);
    for (const i of ctx.live(remaining)) takeFallbackAnswer(ctx.row(i), step, n);
    remaining = ctx.live(remaining).filter((i) => !ctx.row(i).outputs[step.id]);
  }
  // No budget here: a chain that ran out ran out of models, not of time.
  for (const i of remaining) useFallbackDefault(ctx.row(i), step, false);
}

async function runParallel(ctx: BatchContext, step: ParallelStep, idx: readonly number[]): Promise<void> {
  await Promise.all(step.steps.map((s) => runStep(ctx, s, idx)));
  for (const i of ctx.live(idx)) settleParallel(ctx.row(i), step);
}

async function runCombine(ctx: BatchContext, step: CombineStep, idx: readonly number[]): Promise<void> {
  const stacked: (RowInput & { members: MemberScore[]; missing: string[] })[] = [];
  for (const i of ctx.live(idx)) {
    const row = ctx.row(i);
    const inputs = combineInputs(row, step);
    if (!inputs) continue;
    if (step.method === 'stacking') stacked.push({ i, input: stackingRow(inputs.members), ...inputs });
    else takeCombined(row, step, inputs.members, inputs.missing);
  }
  if (stacked.length === 0) return;
  const meta: ModelStep = { id: step.id, type: 'model', model: step.model ?? '', timeoutMs: 2000, placement: 'local' };
  const outputs = await ctx.call(meta, 'stacking', stacked, false);
  for (const s of stacked) {
    const output = outputs.get(s.i);
    if (output) takeStacked(ctx.row(s.i), step, output, s.members, s.missing);
  }
}

async function runSwitch(ctx: BatchContext, step: SwitchStep, idx: readonly number[]): Promise<void> {
  // Rows grouped by the branch they take (-1: the default); each branch runs once, for its rows.
  const branches = new Map<number, number[]>();
  for (const i of ctx.live(idx)) {
    let taken = -1;
    for (const [n, c] of step.cases.entries()) {
      // The online interpreter's shortcut too (quick-compare.ts): jsonata's answer, without jsonata.
      const quick = quickCompare(c.when, ctx.row(i).scope());
      const got = quick === undefined ? await ctx.evaluate(i, c.when, `step ${step.id} case ${n}`) : { value: quick };
      if (got?.value === true) taken = n;
      if (!got || taken >= 0) break;
    }
    if (ctx.row(i).live) branches.set(taken, [...(branches.get(taken) ?? []), i]);
  }
  for (const [taken, rows] of [...branches].sort(([a], [b]) => a - b)) {
    const branch = taken === -1 ? step.default : step.cases[taken]?.steps;
    if (!branch) continue;
    await runSteps(ctx, branch, rows);
    for (const i of ctx.live(rows)) takeBranchOutput(ctx.row(i), step, branch);
  }
}

function runStep(ctx: BatchContext, step: Step, idx: readonly number[]): Promise<void> {
  switch (step.type) {
    case 'model':
      return runModel(ctx, step, idx);
    case 'fallback':
      return runFallback(ctx, step, idx);
    case 'parallel':
      return runParallel(ctx, step, idx);
    case 'combine':
      return runCombine(ctx, step, idx);
    case 'switch':
      return runSwitch(ctx, step, idx);
  }
}

async function runSteps(ctx: BatchContext, steps: readonly Step[], idx: readonly number[]): Promise<void> {
  for (const step of steps) await runStep(ctx, step, idx);
}

/**
 * Scores many cases through a pinned pipeline: `rows[i]` answers `inputs[i]`, and `calls` lists the
 * batched model calls made. `keys[i]`, when given, is row i's decision id: canaries then take their
 * share of rows as they took their share of decisions (a backtest replaying them). Throws only on a pipeline bug (a model that was not pinned); everything
 * else — a failed model, a bad expression, a rejected input — is one row's result.
 */
export async function runBatchPipeline(
  pinned: PinnedPipeline,
  inputs: readonly Record<string, unknown>[],
  predict: BatchPredict,
  keys?: readonly string[],
): Promise<{ rows: RowResult[]; calls: ChunkCall[] }> {
  const ctx = new BatchContext(pinned, inputs, predict, keys);
  await runSteps(
    ctx,
    pinned.spec.steps,
    inputs.map((_, i) => i),
  );
  const label = `pipeline ${pinned.name}@${pinned.version}`;
  return { rows: ctx.rows.map((row) => finishRow(row, pinned.spec, label)), calls: ctx.calls };
}

export type { BatchCallError, BatchCallResult, BatchPredict, RowResult } from './batch-rows';
export type { ChunkCall } from './batch-calls';
