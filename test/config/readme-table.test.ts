import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { EnvSchema, PROJECT_ROOT } from '../../config/env';

/**
 * Variables the README's table may name that EnvSchema does not read, and why. Every other
 * TEMPORAL_* variable but TEMPORAL_ADDRESS is the SDK's envconfig's (config/temporal.ts reads them).
 */
const NOT_IN_SCHEMA: Record<string, string> = {
  TEMPORAL_CLI: 'read by scripts/temporal-cli.js, the setup script that finds or installs the Temporal CLI',
  SASL_PLAINTEXT: 'a value of KAFKA_SECURITY_PROTOCOL, not a variable',
  SASL_SSL: 'a value of KAFKA_SECURITY_PROTOCOL, not a variable',
};
const isExempt = (name: string) =>
  name in NOT_IN_SCHEMA || (name.startsWith('TEMPORAL_') && name !== 'TEMPORAL_ADDRESS');

interface Row {
  names: string[];
  fallback: string;
  meaning: string;
}

/** The rows of the first table under `## Configuration`: variable(s), default, meaning. */
function configurationTable(markdown: string): { rows: Row[]; text: string } {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Configuration\n')) ?? '';
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  const table = start < 0 ? [] : lines.slice(start, end < 0 ? undefined : end);
  const rows = table.slice(2).map((line) => {
    const [names = '', fallback = '', meaning = ''] = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    return { names: [...names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? ''), fallback, meaning };
  });
  return { rows, text: table.join('\n') };
}

/** The default the table writes literally (in backticks), or undefined when it says it in words. */
function literalDefault(row: Row): string | undefined {
  const source =
    row.fallback === 'see meaning' ? /default `([^`]+)`/.exec(row.meaning) : /`([^`]+)`/.exec(row.fallback);
  return source?.[1];
}

/** The table writes directories relative to the project; the schema resolves the demo ones. */
const comparable = (name: string, value: unknown) =>
  name.endsWith('_DIR') && typeof value === 'string' ? resolve(PROJECT_ROOT, value) : value;
const isUnset = (value: unknown) => value === undefined || (Array.isArray(value) && value.length === 0);

const { rows, text } = configurationTable(readFileSync(resolve(PROJECT_ROOT, 'README.md'), 'utf8'));
const schemaSource = readFileSync(resolve(PROJECT_ROOT, 'config', 'env.ts'), 'utf8');
const shape: Record<string, z.ZodType> = EnvSchema.shape;
const schemaKeys = Object.keys(shape);
const tableNames = rows.flatMap((r) => r.names);
const mentioned = new Set([
  ...tableNames,
  ...[...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0]),
]);
const schemaRows = rows.flatMap((row) =>
  row.names.filter((name) => name in shape).map((name) => ({ name, literal: literalDefault(row) })),
);

describe("README.md's configuration table and config/env.ts", () => {
  it('has a table', () => expect(rows.length).toBeGreaterThan(0));

  it.each(schemaKeys)('%s has a row of its own', (key) => expect(tableNames).toContain(key));

  it.each([...mentioned])('%s, named in the table, is in the schema or exempt', (name) => {
    expect(schemaKeys.includes(name) || isExempt(name), `${name} is neither in EnvSchema nor exempt`).toBe(true);
  });

  it.each(schemaRows)("$name: the table's default is the schema's", ({ name, literal }) => {
    const field = shape[name]!;
    const fallback: unknown = field.parse(undefined);
    // A default the table gives in words ("unset → ...", "every registered model") means none in the schema.
    if (literal === undefined) expect(isUnset(fallback), `${name}'s schema default is ${String(fallback)}`).toBe(true);
    else expect(comparable(name, field.parse(literal))).toEqual(comparable(name, fallback));
  });

  it.each(schemaKeys)('%s has a one-line meaning and @default in the schema', (key) => {
    const doc = new RegExp(String.raw`/\*\*(.*)\*/\n\s*${key}:`).exec(schemaSource)?.[1];
    expect(doc).toMatch(/^\s*\S.*@default\s+\S/);
  });
});
