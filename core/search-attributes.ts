import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every decision sets, so people can filter decisions in the Temporal UI. */
export const DecisionOutcomeKey = defineSearchAttributeKey('DecisionOutcome', SearchAttributeType.KEYWORD);
export const PipelineKey = defineSearchAttributeKey('Pipeline', SearchAttributeType.KEYWORD);
export const ScoreKey = defineSearchAttributeKey('Score', SearchAttributeType.DOUBLE);
export const DegradedKey = defineSearchAttributeKey('Degraded', SearchAttributeType.BOOL);
export const ReviewStateKey = defineSearchAttributeKey('ReviewState', SearchAttributeType.KEYWORD);

/** All of them, for registering on a server (`temporal server start-dev --search-attribute`). */
export const SEARCH_ATTRIBUTES = [DecisionOutcomeKey, PipelineKey, ScoreKey, DegradedKey, ReviewStateKey];

const CLI_TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', DOUBLE: 'Double', BOOL: 'Bool' };

/** `Name=Type` pairs as the Temporal CLI spells them. */
export function searchAttributeCliArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}
