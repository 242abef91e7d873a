import jsonata from 'jsonata';
import type { CaseIssue } from '../case';
import { parseSpec } from '../unknown-keys';
import { PipelineSpecSchema, type ModelStep, type PipelineSpec, type Step } from './spec';

type Visit = (step: Step, path: string[]) => void;

/** Visits every step, depth first in document order, with its path in the spec. */
export function walkSteps(steps: readonly Step[], visit: Visit, path: string[] = ['steps']): void {
  steps.forEach((step, i) => {
    const here = [...path, String(i)];
    visit(step, here);
    if (step.type === 'parallel') walkSteps(step.steps, visit, [...here, 'steps']);
    if (step.type === 'fallback') walkSteps(step.chain, visit, [...here, 'chain']);
    if (step.type === 'switch') {
      step.cases.forEach((c, j) => walkSteps(c.steps, visit, [...here, 'cases', String(j), 'steps']));
      if (step.default) walkSteps(step.default, visit, [...here, 'default']);
    }
  });
}

/** Every model reference a spec can call: steps, canaries, shadows, fallbacks, stacking meta-models. */
export function modelRefsOf(spec: PipelineSpec): string[] {
  const refs = new Set<string>();
  walkSteps(spec.steps, (step) => {
    if (step.type === 'model') {
      refs.add(step.model);
      if (step.canary) refs.add(step.canary.model);
      step.shadow?.forEach((s) => refs.add(s));
    }
    if (step.type === 'combine' && step.model) refs.add(step.model);
  });
  if (spec.similarity) refs.add(spec.similarity.embedder);
  return [...refs].sort();
}

function expressionIssue(text: string, path: string[]): CaseIssue[] {
  try {
    jsonata(text);
    return [];
  } catch (err) {
    return [{ path: path.join('.'), message: `expression does not parse: ${(err as Error).message}` }];
  }
}

function checkCombine(step: Extract<Step, { type: 'combine' }>, path: string[], earlier: Set<string>): CaseIssue[] {
  const issues: CaseIssue[] = [];
  const at = (...p: string[]) => [...path, ...p].join('.');
  step.inputs.forEach((id, i) => {
    if (!earlier.has(id)) issues.push({ path: at('inputs', String(i)), message: `no earlier step '${id}'` });
  });
  if (step.method === 'weighted-mean') {
    const missing = step.inputs.filter((id) => step.weights?.[id] === undefined);
    if (missing.length > 0)
      issues.push({ path: at('weights'), message: `weighted-mean needs a weight for ${missing.join(', ')}` });
  }
  if (step.method === 'stacking' && !step.model)
    issues.push({ path: at('model'), message: 'stacking needs a meta-model' });
  if (step.quorum !== undefined && step.quorum > step.inputs.length) {
    issues.push({ path: at('quorum'), message: `quorum ${step.quorum} exceeds the ${step.inputs.length} inputs` });
  }
  return issues;
}

function checkStep(step: Step, path: string[], earlier: Set<string>): CaseIssue[] {
  const at = (...p: string[]) => [...path, ...p];
  if (step.type === 'model') return step.input ? expressionIssue(step.input, at('input')) : [];
  if (step.type === 'combine') return checkCombine(step, path, earlier);
  if (step.type === 'switch')
    return step.cases.flatMap((c, i) => expressionIssue(c.when, at('cases', String(i), 'when')));
  if (step.type === 'parallel' && step.quorum !== undefined && step.quorum > step.steps.length) {
    return [
      { path: at('quorum').join('.'), message: `quorum ${step.quorum} exceeds the ${step.steps.length} members` },
    ];
  }
  return [];
}

/** What the schema cannot say: ids unique, references to earlier steps, expressions that parse. */
export function semanticIssues(spec: PipelineSpec): CaseIssue[] {
  const issues: CaseIssue[] = [];
  const seen = new Set<string>();
  walkSteps(spec.steps, (step, path) => {
    if (seen.has(step.id)) issues.push({ path: [...path, 'id'].join('.'), message: `duplicate step id '${step.id}'` });
    issues.push(...checkStep(step, path, seen));
    seen.add(step.id);
  });
  if (!seen.has(spec.output)) issues.push({ path: 'output', message: `no step '${spec.output}'` });
  return issues;
}

/**
 * Validates a pipeline spec completely: every problem, each with its path in the spec
 * (`steps.1.inputs.0: no earlier step 'gbm'`), so a user fixes them all in one go.
 */
export function validatePipelineSpec(
  raw: unknown,
): { ok: true; spec: PipelineSpec } | { ok: false; issues: CaseIssue[] } {
  const { data, issues } = parseSpec(PipelineSpecSchema, raw);
  if (data) issues.push(...semanticIssues(data));
  return data && issues.length === 0 ? { ok: true, spec: data } : { ok: false, issues };
}

/** The model steps of a spec, flattened (for pinning and placement). */
export function modelStepsOf(spec: PipelineSpec): ModelStep[] {
  const steps: ModelStep[] = [];
  walkSteps(spec.steps, (step) => {
    if (step.type === 'model') steps.push(step);
  });
  return steps;
}
