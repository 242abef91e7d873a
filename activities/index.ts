import type { ModelRuntime } from '../models/runtime';
import type { DecisionStore } from '../stores/decision-store';
import type { ModelRegistry } from '../stores/registry-store';
import { createRecorders } from './record';
import { createResolveModel } from './resolve-model';
import { createScoreCase } from './score-case';

/** What the orchestrator's activities need; injected so tests can hand in real or local peers. */
export interface ActivityDeps {
  store: DecisionStore;
  registry: ModelRegistry;
  runtime: ModelRuntime;
}

/** Every activity a decision workflow calls (STYLE rule 3). Workflows import this as a type only. */
export function createActivities(deps: ActivityDeps) {
  return {
    resolveModel: createResolveModel(deps.registry),
    scoreCase: createScoreCase(deps.runtime),
    ...createRecorders(deps.store),
  };
}

export type { ScoreCaseInput, ScoreCaseOutput } from './score-case';
