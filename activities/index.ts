import type { ModelProvider } from '../models/catalog';
import type { DecisionStore } from '../stores/decision-store';
import { createRecorders } from './record';
import { createScoreCase } from './score-case';

/** What the orchestrator's activities need; injected so tests can hand in real or local peers. */
export interface ActivityDeps {
  store: DecisionStore;
  models: ModelProvider;
}

/** Every activity a decision workflow calls (STYLE rule 3). Workflows import this as a type only. */
export function createActivities(deps: ActivityDeps) {
  return {
    scoreCase: createScoreCase(deps.models),
    ...createRecorders(deps.store),
  };
}

export type { ScoreCaseInput, ScoreCaseOutput } from './score-case';
