import { combineScores, quorumOf, stackingRow } from './combine';
import type { CombineStep, FallbackStep, ModelStep, ParallelStep, Step, SwitchStep } from './spec';
import type { PinnedPipeline } from './types';
import { finishRow, type BatchPredict, type RowResult } from './batch-rows';
import { BatchContext, type ChunkCall, type RowInput } from './batch-calls';

// The per-case interpreter (workflows/pipeline/interpreter.ts), step for step, over many rows:
// each model step is ONE call for every row that reaches it; fallbacks, quorums, combines and
// switches are decided per row, with the same notes. Canary, shadow, placement, cache and the
// latency budget do not apply: every call goes to the step's own model, here, without a deadline.

async function runModel(ctx: BatchContext, step: ModelStep, idx: readonly number[]): Promise<void> {
  const entries = await ctx.inputsOf(step, idx);
  if (entries.length === 0) return;
  for (const [i, output] of await ctx.call(step, 'primary', entries)) ctx.row(i).outputs[step.id] = output;
}

async function runFallback(ctx: BatchContext, step: FallbackStep, idx: readonly number[]): Promise<void> {
  let remaining = ctx.live(idx);
  for (const [n, member] of step.chain.entries()) {
    if (remaining.length === 0) break;
    await runModel(ctx, member, remaining);
    for (const i of ctx.live(remaining)) {
      const row = ctx.row(i);
      const output = row.outputs[member.id];
      if (!output) continue;
      row.outputs[step.id] = output;
      if (n > 0) row.notes.push(`${step.id}: answered by fallback ${member.id}`);
    }
    remaining = ctx.live(remaining).filter((i) => !ctx.row(i).outputs[step.id]);
  }
  if (!step.default) return;
  for (const i of remaining) {
    const row = ctx.row(i);
    row.outputs[step.id] = { ...step.default };
    row.degraded = true;
    row.notes.push(`${step.id}: every model failed, used the default`);
  }
}

async function runParallel(ctx: BatchContext, step: ParallelStep, idx: readonly number[]): Promise<void> {
  await Promise.all(step.steps.map((s) => runStep(ctx, s, idx)));
  const quorum = step.quorum ?? step.steps.length;
  for (const i of ctx.live(idx)) {
    const row = ctx.row(i);
    const answered = step.steps.filter((s) => row.outputs[s.id]);
    const missing = step.steps.filter((s) => !row.outputs[s.id]).map((s) => s.id);
    if (answered.length < quorum) {
      row.notes.push(`${step.id}: ${answered.length} of ${step.steps.length} answered, quorum ${quorum} not met`);
      continue;
    }
    row.outputs[step.id] = { answered: answered.map((s) => s.id), missing };
    if (missing.length > 0) {
      row.degraded = true;
      row.notes.push(`${step.id}: quorum met without ${missing.join(', ')}`);
    }
  }
}

async function runCombine(ctx: BatchContext, step: CombineStep, idx: readonly number[]): Promise<void> {
  const stacked: (RowInput & { used: string[]; missing: string[] })[] = [];
  for (const i of ctx.live(idx)) {
    const row = ctx.row(i);
    const scores = new Map<string, number>();
    for (const id of step.inputs) {
      const score = row.outputs[id]?.score;
      if (typeof score === 'number' && Number.isFinite(score)) scores.set(id, score);
    }
    const { members, missing, met } = quorumOf(step, scores);
    if (!met) {
      const quorum = step.quorum ?? step.inputs.length;
      row.notes.push(`${step.id}: ${members.length} of ${step.inputs.length} inputs, quorum ${quorum} not met`);
      continue;
    }
    if (missing.length > 0) {
      row.degraded = true;
      row.notes.push(`${step.id}: combined without ${missing.join(', ')}`);
    }
    const used = members.map((m) => m.id);
    if (step.method === 'stacking') stacked.push({ i, input: stackingRow(members), used, missing });
    else row.outputs[step.id] = { score: combineScores(step, members), used, missing };
  }
  if (stacked.length === 0) return;
  const meta: ModelStep = { id: step.id, type: 'model', model: step.model ?? '', timeoutMs: 2000, placement: 'local' };
  const outputs = await ctx.call(meta, 'stacking', stacked, false);
  for (const s of stacked) {
    const output = outputs.get(s.i);
    if (output) ctx.row(s.i).outputs[step.id] = { ...output, used: s.used, missing: s.missing };
  }
}

async function runSwitch(ctx: BatchContext, step: SwitchStep, idx: readonly number[]): Promise<void> {
  // Rows grouped by the branch they take (-1: the default); each branch runs once, for its rows.
  const branches = new Map<number, number[]>();
  for (const i of ctx.live(idx)) {
    let taken = -1;
    for (const [n, c] of step.cases.entries()) {
      const got = await ctx.evaluate(i, c.when, `step ${step.id} case ${n}`);
      if (got?.value === true) taken = n;
      if (!got || taken >= 0) break;
    }
    if (ctx.row(i).live) branches.set(taken, [...(branches.get(taken) ?? []), i]);
  }
  for (const [taken, rows] of [...branches].sort(([a], [b]) => a - b)) {
    const branch = taken === -1 ? step.default : step.cases[taken]?.steps;
    if (!branch) continue;
    await runSteps(ctx, branch, rows);
    const last = branch[branch.length - 1];
    for (const i of ctx.live(rows)) {
      const output = last ? ctx.row(i).outputs[last.id] : undefined;
      if (output) ctx.row(i).outputs[step.id] = output;
    }
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
 * batched model calls made. Throws only on a pipeline bug (a model that was not pinned); everything
 * else — a failed model, a bad expression, a rejected input — is one row's result.
 */
export async function runBatchPipeline(
  pinned: PinnedPipeline,
  inputs: readonly Record<string, unknown>[],
  predict: BatchPredict,
): Promise<{ rows: RowResult[]; calls: ChunkCall[] }> {
  const ctx = new BatchContext(pinned, inputs, predict);
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
