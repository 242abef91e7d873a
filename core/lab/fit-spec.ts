import type { Label } from '../similar';
import { walkSteps } from '../pipeline/check';
import type { CombineStep, PipelineSpec, Step } from '../pipeline/spec';

/** A labelled decision's model calls, by the step that made them (score null: no answer). */
export interface LabelledStepCalls {
  decisionId: string;
  label: Label;
  calls: { step: string; arm: string; score: number | null }[];
}

/** The step with this id anywhere in the spec, or undefined. */
export function findStep(spec: PipelineSpec, id: string): Step | undefined {
  let found: Step | undefined;
  walkSteps(spec.steps, (step) => {
    if (step.id === id) found ??= step;
  });
  return found;
}

/**
 * What a step scored in one decision, from its calls: a model step's own answer (primary or canary,
 * never a shadow), a fallback's first member that answered, else its default. Other kinds of step
 * (parallel, combine, switch) leave no call of their own: undefined.
 */
export function stepScore(spec: PipelineSpec, id: string, calls: LabelledStepCalls['calls']): number | undefined {
  const step = findStep(spec, id);
  if (!step) return undefined;
  if (step.type === 'model') {
    const call = calls.find((c) => c.step === id && (c.arm === 'primary' || c.arm === 'canary') && c.score !== null);
    return call?.score ?? undefined;
  }
  if (step.type === 'fallback') {
    for (const member of step.chain) {
      const call = calls.find((c) => c.step === member.id && c.score !== null);
      if (call?.score !== undefined && call.score !== null) return call.score;
    }
    return typeof step.default?.score === 'number' ? step.default.score : undefined;
  }
  return undefined;
}

/** The spec with the combine step `id` replaced (the rest untouched, nested steps included). */
export function withCombine(spec: PipelineSpec, id: string, replace: (step: CombineStep) => CombineStep): PipelineSpec {
  const map = (steps: readonly Step[]): Step[] =>
    steps.map((s): Step => {
      if (s.id === id && s.type === 'combine') return replace(s);
      if (s.type === 'parallel') return { ...s, steps: map(s.steps) };
      if (s.type === 'switch')
        return {
          ...s,
          cases: s.cases.map((c) => ({ ...c, steps: map(c.steps) })),
          ...(s.default ? { default: map(s.default) } : {}),
        };
      return s;
    });
  return { ...spec, steps: map(spec.steps) };
}
