import { combineScores, quorumOf, type MemberScore } from './combine';
import type { CombineStep, FallbackStep, ParallelStep, Step } from './spec';

/**
 * What each step type means for one case, whichever interpreter runs it: the per-case one in the
 * decision workflow (workflows/pipeline/interpreter.ts: one case, model calls as activities, a
 * latency budget) and the batch scorer (core/pipeline/batch.ts: many cases, one call per step).
 * They differ in how they call models; what a step's outcome is — its output, the notes a decision
 * carries, whether it is degraded — is decided here, once. Pure and sandbox-safe.
 */

/** One case's run so far: the interpreters' RunState and RowState both are one. */
export interface CaseRun {
  readonly outputs: Record<string, Record<string, unknown>>;
  readonly notes: string[];
  degraded: boolean;
}

/** Records a fallback member's answer as the fallback's; false when the member gave none. */
export function takeFallbackAnswer(run: CaseRun, step: FallbackStep, position: number): boolean {
  const member = step.chain[position];
  const output = member ? run.outputs[member.id] : undefined;
  if (!member || !output) return false;
  run.outputs[step.id] = output;
  if (position > 0) run.notes.push(`${step.id}: answered by fallback ${member.id}`);
  return true;
}

/**
 * No member of the chain answered: its default, if it has one, degraded. `outOfTime` says the
 * budget cut the chain short (the audit log must not blame the models for the clock).
 */
export function useFallbackDefault(run: CaseRun, step: FallbackStep, outOfTime: boolean): void {
  if (!step.default) return;
  run.outputs[step.id] = { ...step.default };
  run.degraded = true;
  const why = outOfTime ? 'no model answered within the budget' : 'every model failed';
  run.notes.push(`${step.id}: ${why}, used the default`);
}

/** A parallel group's members that answered and did not, in spec order. */
export function membersOf(run: CaseRun, step: ParallelStep): { answered: string[]; missing: string[] } {
  const answered = step.steps.filter((s) => run.outputs[s.id]).map((s) => s.id);
  const missing = step.steps.filter((s) => !run.outputs[s.id]).map((s) => s.id);
  return { answered, missing };
}

/** Settles a parallel group: its output when its quorum (default: all) answered, with the notes. */
export function settleParallel(run: CaseRun, step: ParallelStep): void {
  const { answered, missing } = membersOf(run, step);
  const quorum = step.quorum ?? step.steps.length;
  if (answered.length < quorum) {
    run.notes.push(`${step.id}: ${answered.length} of ${step.steps.length} answered, quorum ${quorum} not met`);
    return;
  }
  run.outputs[step.id] = { answered, missing };
  if (missing.length > 0) {
    run.degraded = true;
    run.notes.push(`${step.id}: quorum met without ${missing.join(', ')}`);
  }
}

/**
 * The scores a combine step combines, or undefined (with a note) when too few of its inputs have
 * a finite score. Combining without some inputs degrades the case.
 */
export function combineInputs(
  run: CaseRun,
  step: CombineStep,
): { members: MemberScore[]; missing: string[] } | undefined {
  const scores = new Map<string, number>();
  for (const id of step.inputs) {
    const score = run.outputs[id]?.score;
    if (typeof score === 'number' && Number.isFinite(score)) scores.set(id, score);
  }
  const { members, missing, met } = quorumOf(step, scores);
  if (!met) {
    run.notes.push(
      `${step.id}: ${members.length} of ${step.inputs.length} inputs, quorum ${step.quorum ?? step.inputs.length} not met`,
    );
    return undefined;
  }
  if (missing.length > 0) {
    run.degraded = true;
    run.notes.push(`${step.id}: combined without ${missing.join(', ')}`);
  }
  return { members, missing };
}

/** Writes a combine step's output by its method (stacking: combine.ts `stackingRow`, then `takeStacked`). */
export function takeCombined(run: CaseRun, step: CombineStep, members: MemberScore[], missing: string[]): void {
  run.outputs[step.id] = { score: combineScores(step, members), used: members.map((m) => m.id), missing };
}

/** Writes the stacking meta-model's answer as the combine step's output. */
export function takeStacked(
  run: CaseRun,
  step: CombineStep,
  output: Record<string, unknown>,
  members: readonly MemberScore[],
  missing: string[],
): void {
  run.outputs[step.id] = { ...output, used: members.map((m) => m.id), missing };
}

/** A switch's output is the output of the last step of the branch it took. */
export function takeBranchOutput(run: CaseRun, step: { id: string }, branch: readonly Step[]): void {
  const last = branch[branch.length - 1];
  const output = last ? run.outputs[last.id] : undefined;
  if (output) run.outputs[step.id] = output;
}
