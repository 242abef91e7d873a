import { Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { Outcome } from '../decision';
import type { RuleFacts } from './facts';
import { splitConditionPath, splitDotted, type Condition, type Rule, type RuleSetSpec } from './spec';

/** What a rule set says about one case. */
export interface RuleEvaluation {
  outcome: Outcome;
  /** The deciding rule's reason first, then every other matching rule's, by priority then file order. */
  reasons: string[];
  /** Names of the matching rules, in the same order; empty when the default applied. */
  matched: string[];
}

/** Own properties only, so a path can never reach `constructor` or a prototype. */
function lookup(value: unknown, segments: readonly string[]): unknown {
  let here = value;
  for (const key of segments) {
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

// Replaces json-rules-engine's JSONPath resolver: validated paths are plain `$.a.b`, and JSONPath's
// script expressions (evaluated by jsonpath-plus) have no place in a rule.
function resolvePath(value: object, path: string): unknown {
  const segments = splitConditionPath(path);
  return segments === undefined ? undefined : lookup(value, segments);
}

const ENGINE_OPTIONS = { allowUndefinedFacts: false, pathResolver: resolvePath };

/** A single comparison is allowed as `when`; json-rules-engine wants all/any/not at the root. */
function topLevel(when: Condition): TopLevelCondition {
  return 'all' in when || 'any' in when || 'not' in when ? when : { all: [when] };
}

/** One spec rule as json-rules-engine's rule; the event carries the rule's position in the file. */
export function toEngineRule(rule: Rule, index: number): RuleProperties {
  return {
    name: rule.name,
    priority: rule.priority,
    conditions: topLevel(rule.when),
    event: { type: 'rule', params: { index } },
  };
}

/** Builds a json-rules-engine Engine for a rule set; throws what json-rules-engine rejects. */
export function compileRuleSet(spec: RuleSetSpec): Engine {
  return new Engine(spec.rules.map(toEngineRule), ENGINE_OPTIONS);
}

function format(value: unknown): string {
  if (value === undefined || value === null) return 'n/a';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Fills `{fact.path}` placeholders from the facts (numbers to 3 decimals, missing values as n/a). */
export function renderReason(template: string, facts: RuleFacts): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, text: string) => {
    const segments = splitDotted(text);
    return segments === undefined ? whole : format(lookup(facts, segments));
  });
}

/**
 * Runs a rule set over the facts. The highest-priority matching rule decides (ties: the one written
 * first); with no match the default does. Deterministic: the order of json-rules-engine's results
 * is never used, only priority and position. A fresh Engine per call, because an Engine keeps its
 * run status on itself and concurrent runs of one shared Engine cut each other short.
 */
export async function evaluateRules(spec: RuleSetSpec, facts: RuleFacts): Promise<RuleEvaluation> {
  const { results } = await compileRuleSet(spec).run(facts);
  const hits = results
    .map((r) => Number((r.event?.params as { index?: unknown } | undefined)?.index))
    .flatMap((index) => (spec.rules[index] ? [{ index, rule: spec.rules[index] }] : []))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index);
  const winner = hits[0]?.rule;
  if (winner === undefined) {
    return { outcome: spec.default.outcome, reasons: [renderReason(spec.default.reason, facts)], matched: [] };
  }
  return {
    outcome: winner.outcome,
    reasons: hits.map((h) => renderReason(h.rule.reason, facts)),
    matched: hits.map((h) => h.rule.name),
  };
}
