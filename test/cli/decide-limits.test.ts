import { describe, expect, it } from 'vitest';
import { CaseValidationError } from '../../client/errors';
import { runDecide } from '../../cli/decide';
import { loadEnv } from '../../config/env';
import { BAD_CASES } from '../helpers/bad-cases';

// Refused before any stack is reached: TEMPORAL_ADDRESS points nowhere, and nothing may try it.
const env = loadEnv({ ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', ARBITER_MAX_CASE_FIELDS: '5000' });

describe('arbiter decide: bad input refused before a stack is reached', () => {
  it.each(BAD_CASES.filter((b) => b.rule !== 'max-fields'))('$name', async ({ json, rule, path }) => {
    const err = await runDecide(env, { pipeline: 'demo', input: json('c-1'), json: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaseValidationError);
    expect((err as CaseValidationError).issues).toContainEqual(expect.objectContaining({ rule, path }));
  });

  it('takes the field limit from ARBITER_MAX_CASE_FIELDS', async () => {
    const extra = BAD_CASES.find((b) => b.name === '10,000 extra fields');
    const err = await runDecide(env, { pipeline: 'demo', input: extra?.json('c-1'), json: true }).catch(
      (e: unknown) => e,
    );
    expect((err as CaseValidationError).issues[0]?.message).toContain('more than 5000 fields');
  });
});
