import { defineUpdate } from '@temporalio/workflow';
import type { DecisionResult } from './decision';

/**
 * Answers as soon as a decision is taken, while its workflow goes on recording late and shadow
 * calls: clients send it with update-with-start to get the decision in one round trip.
 */
export const decisionUpdate = defineUpdate<DecisionResult>('decision');
