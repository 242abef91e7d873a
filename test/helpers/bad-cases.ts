import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { expect } from 'vitest';

/**
 * The bad inputs of issue 16 as JSON text, written by hand where JSON.stringify cannot help (a
 * 10,000-deep case; `\u0000` and a lone surrogate are written as JSON escapes, as any client
 * would send them), each with the rule (core/case-limits.ts) that refuses it and the path it names.
 */
export interface BadCase {
  name: string;
  /** The decision request as JSON text. */
  json: (caseId: string) => string;
  rule: string;
  path: string;
}

const fields = (n: number, prefix = 'f') => Array.from({ length: n }, (_, i) => `"${prefix}${i}":${i}`).join(',');
const envelope = (caseId: string, input: string) => `{"caseId":${JSON.stringify(caseId)},"input":${input}}`;

export const BAD_CASES: BadCase[] = [
  {
    name: '10,000-deep nesting',
    json: (id) => envelope(id, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
    rule: 'max-depth',
    path: `input${'.a'.repeat(32)}`,
  },
  { name: 'NUL in a value', json: (id) => envelope(id, '{"url":"a\\u0000b"}'), rule: 'no-nul', path: 'input.url' },
  { name: 'NUL in a key', json: (id) => envelope(id, '{"k\\u0000":1}'), rule: 'no-nul', path: 'input.k\\u0000' },
  {
    name: 'a lone surrogate',
    json: (id) => envelope(id, '{"url":"x\\ud800"}'),
    rule: 'no-lone-surrogate',
    path: 'input.url',
  },
  {
    name: '10,000 extra fields',
    json: (id) => envelope(id, `{"https":1,${fields(10_000)}}`),
    rule: 'max-fields',
    path: 'input',
  },
  {
    name: '40,000 fields (0.7 MiB)',
    json: (id) => envelope(id, `{${fields(40_000, 'feature_')}}`),
    rule: 'max-fields',
    path: 'input',
  },
];

/** Fails unless Temporal has no workflow with this id: the edge refused before starting one. */
export async function expectNoWorkflow(client: Client, workflowId: string): Promise<void> {
  const found = await client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      (d) => `${d.workflowId} is ${d.status.name}`,
      (err: unknown) => (err instanceof WorkflowNotFoundError ? undefined : err),
    );
  expect(found).toBeUndefined();
}
