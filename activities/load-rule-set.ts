import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import type { RuleSetSpec } from '../core/rules/spec';
import { toStoreFailure } from '../stores/pg-errors';
import { RuleSetNotFoundError, type RuleSetStore } from '../stores/rules-store';
import type { PinCache } from './pin-cache';

/** A rule set as a decision pins it at start. */
export interface PinnedRuleSet {
  name: string;
  version: string;
  spec: RuleSetSpec;
}

/** Builds `loadRuleSet`: pins the latest version of a rule set when a decision starts. */
export function createLoadRuleSet(store: RuleSetStore, pins?: PinCache) {
  const pin = async (name: string): Promise<PinnedRuleSet> => {
    const { version, spec } = await store.get(name);
    return { name, version, spec };
  };
  return async function loadRuleSet(name: string): Promise<PinnedRuleSet> {
    try {
      return await (pins ? pins.get(`rules ${name}`, () => pin(name)) : pin(name));
    } catch (err) {
      if (err instanceof RuleSetNotFoundError) {
        throw ApplicationFailure.create({ type: Failure.Rules.NotFound, message: err.message, nonRetryable: true });
      }
      throw toStoreFailure(err, `loading rule set ${name}`);
    }
  };
}
