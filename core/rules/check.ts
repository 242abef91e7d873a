import type { CaseIssue } from '../case';
import { parseSpec } from '../unknown-keys';
import { compileRuleSet } from './evaluate';
import { FACT_NAMES, factPathProblem, factType } from './facts';
import {
  placeholdersOf,
  RuleSetSpecSchema,
  splitConditionPath,
  splitDotted,
  type Condition,
  type ConditionValue,
  type LeafCondition,
  type RuleSetSpec,
} from './spec';

/** json-rules-engine's built-in operators, and the decorators that may prefix them (`not:equal`). */
export const OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;
/**
 * json-rules-engine's decorators that only change how the fact is read. `someValue`, `everyValue`
 * and `swap` are left out: they turn the value into the list being walked and throw at run time
 * when it is not one; `in`, `notIn` and `contains` say the same things safely.
 */
export const OPERATOR_DECORATORS = ['not', 'someFact', 'everyFact'] as const;
const NUMERIC = new Set<string>(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);

type Visit = (leaf: LeafCondition, path: string[]) => void;

/** Visits every comparison of a condition tree with its path in the spec. */
export function walkConditions(condition: Condition, visit: Visit, path: string[]): void {
  if ('all' in condition) condition.all.forEach((c, i) => walkConditions(c, visit, [...path, 'all', String(i)]));
  else if ('any' in condition) condition.any.forEach((c, i) => walkConditions(c, visit, [...path, 'any', String(i)]));
  else if ('not' in condition) walkConditions(condition.not, visit, [...path, 'not']);
  else visit(condition, path);
}

type Checked = { issues: CaseIssue[]; type?: string | undefined; name?: string };

/** Checks a fact reference (`fact` + optional `path`); when valid, says what type it holds. */
function factRef(fact: string, path: string | undefined, at: string[]): Checked {
  const issue = (key: 'fact' | 'path', message: string) => ({ issues: [{ path: [...at, key].join('.'), message }] });
  if (!FACT_NAMES.includes(fact)) return issue('fact', `unknown fact '${fact}'; facts are ${FACT_NAMES.join(', ')}`);
  const segments = path === undefined ? [] : splitConditionPath(path);
  if (segments === undefined) return issue('path', `a path starts with $. as in $.declineRate, not '${path}'`);
  const problem = factPathProblem(fact, segments);
  if (problem) return issue('path', problem);
  return { issues: [], type: factType(fact, segments), name: [fact, ...segments].join('.') };
}

const typeOf = (v: unknown) => (v === null ? 'null' : typeof v);

/** An operator json-rules-engine knows, used on values of the fact's type (when that type is known). */
function operatorIssues(operator: string, value: ConditionValue, fact: Checked): string[] {
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  const unknown = parts.filter((d) => !(OPERATOR_DECORATORS as readonly string[]).includes(d));
  if (!(OPERATORS as readonly string[]).includes(base) || unknown.length > 0) {
    const decorators = OPERATOR_DECORATORS.map((d) => `${d}:`).join(', ');
    return [`unknown operator '${operator}'; operators are ${OPERATORS.join(', ')}, optionally after ${decorators}`];
  }
  const listed = base === 'in' || base === 'notIn';
  // A fact as the value of `in` could be anything at run time, and json-rules-engine throws on a non-list.
  if (listed && !Array.isArray(value)) return [`${base} needs a list written out as its value`];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return [];
  if (NUMERIC.has(base) && typeof value !== 'number') {
    return [`${base} compares numbers; the value ${JSON.stringify(value)} is not one`];
  }
  // someFact / everyFact read the fact as a list, so its own type says nothing about the elements.
  const type = parts.some((d) => d !== 'not') ? undefined : fact.type;
  if (NUMERIC.has(base))
    return type && type !== 'number' ? [`${base} compares numbers; ${fact.name} is a ${type}`] : [];
  if (!type || !(listed || base === 'equal' || base === 'notEqual')) return [];
  const wrong = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && typeOf(v) !== type);
  return wrong.map((v) => `${fact.name} is a ${type}; ${JSON.stringify(v)} is a ${typeOf(v)}`);
}

function leafIssues(leaf: LeafCondition, at: string[]): CaseIssue[] {
  const fact = factRef(leaf.fact, leaf.path, at);
  const issues = [...fact.issues];
  const operatorAt = [...at, 'operator'].join('.');
  issues.push(...operatorIssues(leaf.operator, leaf.value, fact).map((message) => ({ path: operatorAt, message })));
  const v = leaf.value;
  if (v !== null && typeof v === 'object' && !Array.isArray(v))
    issues.push(...factRef(v.fact, v.path, [...at, 'value']).issues);
  return issues;
}

function reasonIssues(template: string, at: string): CaseIssue[] {
  return placeholdersOf(template).flatMap((text) => {
    const segments = splitDotted(text);
    if (segments === undefined) return [{ path: at, message: `placeholder {${text}} is not a fact path like {score}` }];
    const [fact = '', ...rest] = segments;
    const problem = factPathProblem(fact, rest);
    return problem ? [{ path: at, message: `placeholder {${text}}: ${problem}` }] : [];
  });
}

/** What the schema cannot say: known facts and paths, known operators, unique names, placeholders. */
export function ruleSetIssues(spec: RuleSetSpec): CaseIssue[] {
  const issues: CaseIssue[] = [];
  const seen = new Set<string>();
  spec.rules.forEach((rule, i) => {
    const at = ['rules', String(i)];
    if (seen.has(rule.name))
      issues.push({ path: [...at, 'name'].join('.'), message: `duplicate rule name '${rule.name}'` });
    seen.add(rule.name);
    walkConditions(rule.when, (leaf, path) => issues.push(...leafIssues(leaf, path)), [...at, 'when']);
    issues.push(...reasonIssues(rule.reason, [...at, 'reason'].join('.')));
  });
  issues.push(...reasonIssues(spec.default.reason, 'default.reason'));
  return issues;
}

/** What json-rules-engine itself refuses, rule by rule (the checks above should leave nothing). */
function compileIssues(spec: RuleSetSpec): CaseIssue[] {
  return spec.rules.flatMap((rule, i) => {
    try {
      compileRuleSet({ ...spec, rules: [rule] });
      return [];
    } catch (err) {
      return [{ path: `rules.${i}.when`, message: `json-rules-engine refuses it: ${(err as Error).message}` }];
    }
  });
}

/**
 * Validates a rule set completely: every problem with its path (`rules.2.when.all.0.fact: unknown
 * fact 'scor'`), then a compile by json-rules-engine itself, so what passes here also runs.
 */
export function validateRuleSet(raw: unknown): { ok: true; spec: RuleSetSpec } | { ok: false; issues: CaseIssue[] } {
  const { data, issues } = parseSpec(RuleSetSpecSchema, raw);
  if (!data) return { ok: false, issues };
  issues.push(...ruleSetIssues(data));
  if (issues.length === 0) issues.push(...compileIssues(data));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, spec: data };
}
