import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import type { RuleSetSpec } from '../core/rules/spec';
import { toStoreFailure } from '../stores/pg-errors';
import { RuleSetNotFoundError, type RuleSetStore } from '../stores/rules-store';

/** A rule set as a decision pins it at start. */
export interface PinnedRuleSet {
  name: string;
  version: string;
  spec: RuleSetSpec;
}

/** Builds `loadRuleSet`: pins the latest version of a rule set when a decision starts. */
export function createLoadRuleSet(store: RuleSetStore) {
  return async function loadRuleSet(name: string): Promise<PinnedRuleSet> {
    try {
      const { version, spec } = await store.get(name);
      return { name, version, spec };
    } catch (err) {
      if (err instanceof RuleSetNotFoundError) {
        throw ApplicationFailure.create({ type: Failure.Rules.NotFound, message: err.message, nonRetryable: true });
      }
      throw toStoreFailure(err, `loading rule set ${name}`);
    }
  };
}
