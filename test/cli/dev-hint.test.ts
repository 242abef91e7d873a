import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryHint } from '../../cli/dev-hint';
import { PROJECT_ROOT } from '../../config/env';

// A project root without the demo's sample case (one's own project, `arbiter init`'s kind).
const bare = mkdtempSync(join(tmpdir(), 'arbiter-hint-'));

describe('arbiter dev: what to try first', () => {
  it.each([
    {
      when: 'the demo pipeline is stored, run from the project',
      names: ['demo'],
      root: PROJECT_ROOT,
      cwd: PROJECT_ROOT,
      hint: 'Try: arbiter decide --input-file demo/cases/sample.json',
    },
    {
      when: 'the demo pipeline is stored, run from elsewhere',
      names: ['demo', 'mine'],
      root: PROJECT_ROOT,
      cwd: join(PROJECT_ROOT, 'demo'),
      hint: 'Try: arbiter decide --input-file cases/sample.json',
    },
    {
      when: 'only one\u2019s own pipelines are stored',
      names: ['mine', 'fraud', 'mine'],
      root: PROJECT_ROOT,
      cwd: PROJECT_ROOT,
      hint: 'Pipelines: fraud, mine. Try: arbiter pipelines show <name>, then arbiter decide --pipeline <name> --input-file <case.json>',
    },
    {
      when: 'a pipeline named demo is stored but the sample case is not there',
      names: ['demo'],
      root: bare,
      cwd: bare,
      hint: 'Pipelines: demo. Try: arbiter pipelines show <name>, then arbiter decide --pipeline <name> --input-file <case.json>',
    },
    {
      when: 'no pipeline is stored',
      names: [],
      root: PROJECT_ROOT,
      cwd: PROJECT_ROOT,
      hint: 'No pipeline is stored yet: arbiter pipelines apply <file.yaml>',
    },
  ])('$when', ({ names, root, cwd, hint }) => {
    expect(tryHint(names, root, cwd)).toBe(hint);
  });
});
