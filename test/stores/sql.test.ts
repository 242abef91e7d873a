import { describe, expect, it } from 'vitest';
import { INSERT_DECISION, INSERT_DECISION_WITH_CALLS, UPSERT_MODEL_CALLS } from '../../stores/sql';

/** The distinct placeholders a statement uses, in numeric order. */
const placeholders = (sql: string) =>
  [...new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);

describe('the decision log statements', () => {
  it('the calls upsert takes the decision id as $1 and the calls as $2', () => {
    expect(placeholders(UPSERT_MODEL_CALLS)).toEqual([1, 2]);
    expect(UPSERT_MODEL_CALLS).toContain('jsonb_to_recordset($2::jsonb)');
  });

  it('the decision with its calls takes the decision insert’s parameters, then the calls as the next one', () => {
    const decision = placeholders(INSERT_DECISION);
    const next = (decision.at(-1) ?? 0) + 1;
    expect(placeholders(INSERT_DECISION_WITH_CALLS)).toEqual([...decision, next]);
    expect(INSERT_DECISION_WITH_CALLS).toContain(`jsonb_to_recordset($${next}::jsonb)`);
    expect(INSERT_DECISION_WITH_CALLS).toContain('SELECT $1::text, x.call_id');
  });
});
