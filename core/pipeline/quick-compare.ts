/**
 * A switch condition of the common form `<path> <op> <number>` (`steps.anomaly.score > 0.1`),
 * answered without jsonata when the path holds a number; undefined otherwise, and jsonata decides.
 *
 * Why: in a workflow, jsonata costs more than the comparison ever could. Its evaluator is async
 * throughout (a dozen promises for this one comparison, and the SDK captures a source-mapped stack
 * for every promise a workflow makes) and the expression is parsed again on every run. Only the
 * form above, only numbers: anything else (a missing step, a string, `and`, functions) is left to
 * jsonata, so the answer is jsonata's wherever this gives one (test/core/quick-compare.test.ts
 * compares the two). Sandbox-safe: no I/O, no clock.
 */
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const FORM = new RegExp(`^\\s*(${NAME}(?:\\.${NAME})*)\\s*(<=|>=|!=|=|<|>)\\s*(-?\\d+(?:\\.\\d+)?)\\s*$`);
/** Words jsonata reads as operators or literals, never as field names. */
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null']);

export function quickCompare(expression: string, scope: Record<string, unknown>): boolean | undefined {
  const form = FORM.exec(expression);
  if (!form) return undefined;
  const [, path = '', op, literal = ''] = form;
  let value: unknown = scope;
  for (const name of path.split('.')) {
    if (RESERVED.has(name)) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, name))
      return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const bound = Number(literal);
  switch (op) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '=':
      return value === bound;
    case '!=':
      return value !== bound;
    default:
      return undefined;
  }
}
