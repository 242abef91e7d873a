import { ApplicationFailure } from '@temporalio/workflow';
import jsonata from 'jsonata';
import { Failure } from '../../core/failures';
import { isModelOutage } from '../../core/outage';
import { canaryBucket, stackingRow } from '../../core/pipeline/combine';
import { quickCompare } from '../../core/pipeline/quick-compare';
import {
  combineInputs,
  membersOf,
  settleParallel,
  takeBranchOutput,
  takeCombined,
  takeFallbackAnswer,
  takeStacked,
  useFallbackDefault,
} from '../../core/pipeline/semantics';
import type { CombineStep, FallbackStep, ModelStep, ParallelStep, Step, SwitchStep } from '../../core/pipeline/spec';
import type { ModelCall, PinnedPipeline, PipelineResult } from '../../core/pipeline/types';
import { OutageWait, type Outage } from '../outage';
import { patchedBefore } from '../patches';
import { callModel } from './calls';
import { DEADLINE, RunState } from './state';

async function evaluate(state: RunState, expression: string, where: string): Promise<unknown> {
  try {
    return (await jsonata(expression).evaluate(state.scope())) as unknown;
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`${where}: ${(err as Error).message}`, Failure.Pipeline.ExpressionFailed);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function inputOf(state: RunState, step: ModelStep): Promise<Record<string, unknown>> {
  if (!step.input) return state.caseInput;
  const value = await evaluate(state, step.input, `step ${step.id} input`);
  if (!isRecord(value))
    throw ApplicationFailure.nonRetryable(
      `step ${step.id}: input mapping gave no object`,
      Failure.Pipeline.ExpressionFailed,
    );
  return value;
}

/** A model's input rejection is the case's fault: the decision rejects the case instead of degrading. */
function rethrowInvalidInput(call: ModelCall): void {
  if (call.status === 'failed' && call.error?.type === Failure.Model.InvalidInput) {
    const { message, issues } = call.error;
    throw ApplicationFailure.create({
      type: Failure.Model.InvalidInput,
      message,
      nonRetryable: true,
      details: [issues ?? []],
    });
  }
}

async function runModel(state: RunState, step: ModelStep): Promise<void> {
  if (state.expired) {
    // Past the budget: starting a call now could only make it late.
    state.late.add(step.id);
    return;
  }
  // Under the decision patch, no promise for a step that maps no input (see RunState.lean).
  const input = step.input || !state.lean ? await inputOf(state, step) : state.caseInput;
  const canary = step.canary && canaryBucket(state.decisionKey, step.id) < step.canary.percent;
  const ref = canary && step.canary ? step.canary.model : step.model;
  for (const shadow of step.shadow ?? []) state.background.push(callModel(state, step, shadow, 'shadow', input));
  const pending = callModel(state, step, ref, canary ? 'canary' : 'primary', input);
  // A local call is cut at the budget by its own timeouts (calls.ts), and while it runs the workflow
  // task stays open, so the budget's timer cannot fire first: only a call that may go remote races it.
  const mayGoRemote = step.placement === 'remote' || step.placement === 'auto';
  const call = state.lean && !mayGoRemote ? await pending : await state.beforeDeadline(pending);
  if (call === DEADLINE) {
    state.late.add(step.id);
    state.background.push(pending);
    return;
  }
  rethrowInvalidInput(call);
  if (call.status === 'ok' && call.output) state.outputs[step.id] = call.output;
  else if (call.late) state.late.add(step.id);
  else state.notes.push(`${step.id}: ${call.model}@${call.version} failed (${call.error?.message ?? 'unknown'})`);
}

async function runFallback(state: RunState, step: FallbackStep): Promise<void> {
  // The audit log must not blame the models for the budget: a chain cut short by the deadline (or
  // never started, the budget spent before the first task) is not a chain whose models all failed.
  let outOfTime = false;
  for (const [i, member] of step.chain.entries()) {
    if (state.pastDeadline) {
      outOfTime = true;
      break;
    }
    await runModel(state, { ...member, id: member.id });
    if (takeFallbackAnswer(state, step, i)) return;
    if (state.late.has(member.id)) outOfTime = true;
  }
  useFallbackDefault(state, step, outOfTime);
}

async function runParallel(state: RunState, step: ParallelStep): Promise<void> {
  const members = step.steps.map((s) => runStep(state, s));
  // Settled or not, members keep running; the deadline only decides what the result can use.
  const all = Promise.all(members);
  const outcome = await state.beforeDeadline(all);
  if (outcome === DEADLINE) {
    state.background.push(all.catch(() => undefined));
    membersOf(state, step).missing.forEach((id) => state.late.add(id));
  }
  settleParallel(state, step);
}

async function runCombine(state: RunState, step: CombineStep): Promise<void> {
  const inputs = combineInputs(state, step);
  if (!inputs) return;
  const { members, missing } = inputs;
  if (step.method !== 'stacking') return takeCombined(state, step, members, missing);
  const meta: ModelStep = { id: step.id, type: 'model', model: step.model ?? '', timeoutMs: 2000, placement: 'local' };
  const call = await state.beforeDeadline(callModel(state, meta, meta.model, 'stacking', stackingRow(members)));
  if (call !== DEADLINE && call.status === 'ok' && call.output) takeStacked(state, step, call.output, members, missing);
}

async function runSwitch(state: RunState, step: SwitchStep): Promise<void> {
  let branch = step.default;
  for (const [i, c] of step.cases.entries()) {
    const quick = state.lean ? quickCompare(c.when, state.scope()) : undefined;
    if ((quick ?? (await evaluate(state, c.when, `step ${step.id} case ${i}`))) === true) {
      branch = c.steps;
      break;
    }
  }
  if (!branch) return;
  await runSteps(state, branch);
  takeBranchOutput(state, step, branch);
}

function runStep(state: RunState, step: Step): Promise<void> {
  switch (step.type) {
    case 'model':
      return runModel(state, step);
    case 'fallback':
      return runFallback(state, step);
    case 'parallel':
      return runParallel(state, step);
    case 'combine':
      return runCombine(state, step);
    case 'switch':
      return runSwitch(state, step);
  }
}

async function runSteps(state: RunState, steps: readonly Step[]): Promise<void> {
  for (const step of steps) await runStep(state, step);
}

export interface RunOptions {
  /** Canary buckets hash this; the decision id keeps a case in one arm. */
  decisionKey: string;
  /** Workflow time the budget counts from. @default now */
  startedAt?: number;
  /** Set by `runPipeline` itself when it runs again after its model servers were unreachable. */
  again?: RunAgain;
}

/** What a run after a model outage carries over from the runs before it. */
interface RunAgain {
  wait: OutageWait;
  /** Every call made so far: the audit trail keeps the failed attempts. */
  calls: ModelCall[];
  background: Promise<unknown>[];
}

/** Guards the wait below: histories from before it failed `Pipeline.NoResult` there (rule 13). */
export const MODEL_OUTAGE_PATCH = 'wait-out-model-outages';

/**
 * The outage that left this run without a result, when every call that failed it (shadows and late
 * members aside) failed because its model server could not be reached; undefined otherwise.
 */
function modelOutageOf(state: RunState, firstCall: number): Outage | undefined {
  const failed = state.calls.slice(firstCall).filter((c) => c.status === 'failed' && !c.late && c.arm !== 'shadow');
  if (failed.length === 0 || !failed.every((c) => isModelOutage(c.error?.type))) return undefined;
  const versions = [...new Set(failed.map((c) => `${c.model}@${c.version}`))];
  const first = failed[0]?.error;
  return {
    service: `model server${versions.length > 1 ? 's' : ''} ${versions.join(', ')}`,
    type: first?.type ?? null,
    message: first?.message ?? 'unreachable',
  };
}

/**
 * A pipeline with no result because its model servers were unreachable runs again, with a fresh
 * budget, after the outage backoff, until ARBITER_OUTAGE_TOLERANCE (then `Model.OutageExceeded`).
 * A budget with `onDeadline`, a fallback default or a quorum answers without waiting instead.
 */
async function runAgainAfter(
  outage: Outage,
  pinned: PinnedPipeline,
  caseInput: Record<string, unknown>,
  options: RunOptions,
  failed: RunState,
): Promise<{ result: PipelineResult; state: RunState }> {
  const wait =
    options.again?.wait ?? new OutageWait(`pipeline ${pinned.name}@${pinned.version}`, Failure.Model.OutageExceeded);
  await wait.before(outage);
  const again = { wait, calls: failed.calls, background: failed.background };
  return runPipeline(pinned, caseInput, { ...options, startedAt: Date.now(), again });
}

/**
 * Runs a pinned pipeline inside a workflow. Returns as soon as the result is known — at the latest
 * at the deadline, with what arrived if quorums are met, else the spec's `onDeadline` score —
 * while late and shadow calls keep running in `state.background` for the caller to await and
 * record. Throws `Model.InvalidInput` when a model rejects the case, `Pipeline.NoResult` otherwise.
 */
export async function runPipeline(
  pinned: PinnedPipeline,
  caseInput: Record<string, unknown>,
  options: RunOptions,
): Promise<{ result: PipelineResult; state: RunState }> {
  const { spec } = pinned;
  const deadline = spec.deadlineMs === undefined ? undefined : (options.startedAt ?? Date.now()) + spec.deadlineMs;
  const earlier = options.again?.calls ?? [];
  const state = new RunState(pinned, caseInput, options.decisionKey, deadline, earlier.length);
  state.calls.push(...earlier);
  state.background.push(...(options.again?.background ?? []));
  // Each model call races the budget itself; combines and switches after the deadline still run on
  // what arrived, so the pipeline always gets to its output step.
  await runSteps(state, spec.steps);
  state.answered = true;
  const output = state.outputs[spec.output];
  // An output without a numeric score (an embedding, an LLM's object) is a result, not a failure.
  let score: number | null = typeof output?.score === 'number' ? output.score : null;
  if (!output) {
    if (!spec.onDeadline || !(state.pastDeadline || state.late.size > 0 || state.notes.length > 0)) {
      // Checked only here, so histories of runs that never met an outage replay unchanged.
      const outage = modelOutageOf(state, earlier.length);
      if (outage && patchedBefore(MODEL_OUTAGE_PATCH)) return runAgainAfter(outage, pinned, caseInput, options, state);
      throw ApplicationFailure.create({
        type: Failure.Pipeline.NoResult,
        message: `pipeline ${pinned.name}@${pinned.version} produced no '${spec.output}': ${state.notes.join('; ') || 'no output'}`,
        nonRetryable: true,
      });
    }
    score = spec.onDeadline.score;
    state.degraded = true;
    state.notes.push(spec.onDeadline.reason);
  }
  if (state.late.size > 0) state.degraded = true;
  if (options.again) {
    state.notes.push(`waited ${options.again.wait.waitedMs} ms for unreachable model servers`);
    options.again.wait.over();
  }
  const result: PipelineResult = {
    pipeline: { name: pinned.name, version: pinned.version },
    score,
    outputs: { ...state.outputs },
    degraded: state.degraded,
    late: [...state.late],
    notes: [...state.notes],
    calls: state.calls.map((c) => ({ ...c })),
  };
  return { result, state };
}
