import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuleSetFile, RuleSetInvalidError, RuleSetsAdmin } from '../admin/rules';
import { evaluateRules } from '../core/rules/evaluate';
import { buildFacts } from '../core/rules/facts';
import type { RuleSetSpec } from '../core/rules/spec';
import { RuleSetNotFoundError, RuleSetStore } from '../stores/rules-store';
import { PROJECT_ROOT } from '../config/env';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { suiteTemporal } from './helpers/suite-temporal';

const DEMO = join(PROJECT_ROOT, 'demo', 'rules', 'demo.yaml');
const facts = buildFacts({
  score: 0.3,
  degraded: false,
  calls: [{ step: 'anomaly', model: 'phishing-iforest', version: '1', score: 0.4 }],
  input: { https: 1 },
  pipeline: { name: 'demo', version: '1' },
});

let db: TestDatabase;
let rules: RuleSetsAdmin;

beforeAll(async () => {
  db = await createTestDatabase();
  rules = new RuleSetsAdmin(new RuleSetStore(db.pool));
});

afterAll(async () => {
  await db?.close();
});

describe('rule set store', () => {
  const name = `rules-${randomBytes(4).toString('hex')}`;
  const demo = async () => ({ ...((await readRuleSetFile(DEMO)) as object), name }) as Record<string, unknown>;

  it('applies a new rule set as version 1, the same again as version 1, a change as version 2', async () => {
    const first = await rules.apply(await demo());
    expect(first).toMatchObject({ created: true, ruleSet: { name, version: '1' } });
    expect(await rules.apply(await demo())).toMatchObject({ created: false, ruleSet: { version: '1' } });
    const changed = { ...(await demo()), default: { outcome: 'review', reason: 'no rule matched' } };
    expect(await rules.apply(changed)).toMatchObject({ created: true, ruleSet: { version: '2' } });
    expect((await rules.get(name)).spec.default.outcome).toBe('review');
    expect((await rules.get(name, '1')).spec.default.outcome).toBe('approve');
    expect((await rules.show(name)).map((r) => r.version)).toEqual(['1', '2']);
    expect((await rules.list()).find((r) => r.name === name)?.version).toBe('2');
  });

  it('gives one version to concurrent applies of the same new rule set', async () => {
    const spec = { ...(await demo()), name: `${name}-race` };
    const applied = await Promise.all(Array.from({ length: 5 }, () => rules.apply(spec)));
    expect(new Set(applied.map((a) => a.ruleSet.version))).toEqual(new Set(['1']));
    expect(applied.filter((a) => a.created)).toHaveLength(1);
  });

  it('refuses an invalid rule set with every problem and its path, storing nothing', async () => {
    const raw = await demo();
    const bad = {
      ...raw,
      name: `${name}-bad`,
      rules: [
        { name: 'a', when: { fact: 'scor', operator: 'greaterThan', value: 1 }, outcome: 'decline', reason: '{x}' },
        {
          name: 'a',
          when: { fact: 'similar', path: '$.rate', operator: 'gte', value: 1 },
          outcome: 'review',
          reason: 'r',
        },
      ],
    };
    const error = await rules.apply(bad).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RuleSetInvalidError);
    expect((error as RuleSetInvalidError).issues.map((i) => i.path)).toEqual([
      'rules.0.when.fact',
      'rules.0.reason',
      'rules.1.name',
      'rules.1.when.path',
      'rules.1.when.operator',
    ]);
    expect((error as Error).message).toContain('rules.0.when.fact: unknown fact');
    await expect(rules.get(`${name}-bad`)).rejects.toBeInstanceOf(RuleSetNotFoundError);
  });

  it.each([
    ['an unknown rule set', 'nope', undefined, 'unknown rule set nope; available:'],
    ['an unknown version', undefined, '9', '@9; available:'],
    ['a version that is not a number', undefined, 'latest', '@latest; available:'],
  ])('names what exists for %s', async (_, ruleSet, version, message) => {
    const error = await rules.get(ruleSet ?? name, version).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RuleSetNotFoundError);
    expect((error as Error).message).toContain(message);
    expect((error as RuleSetNotFoundError).available).toContain(name);
  });

  it('evaluates a stored version exactly as the file', async () => {
    const stored = await rules.get(name, '1');
    const local = rules.validate(await demo());
    expect(local.ok).toBe(true);
    if (local.ok) expect(await evaluateRules(stored.spec, facts)).toEqual(await evaluateRules(local.spec, facts));
  });
});

// json-rules-engine in Temporal's workflow sandbox: core/rules/evaluate.ts is bundled as if it were
// a workflows module (each export becomes a workflow type), run, then replayed from its history.
describe('rules in the workflow sandbox', () => {
  const temporal = suiteTemporal({ registerSearchAttributes: false });

  it('bundles without Node builtins, evaluates like Node, and replays deterministically', async () => {
    const env = temporal();
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../core/rules/evaluate.ts', import.meta.url)),
      logger: new DefaultLogger('WARN'),
    });
    const taskQueue = `rules-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });
    const raw = await readRuleSetFile(DEMO);
    const checked = rules.validate(raw);
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
    const spec: RuleSetSpec = checked.spec;
    const workflowId = `rules-${randomBytes(4).toString('hex')}`;
    const inSandbox = await worker.runUntil(
      env.client.workflow.execute<typeof evaluateRules>('evaluateRules', {
        args: [spec, facts],
        taskQueue,
        workflowId,
      }),
    );
    expect(inSandbox).toEqual(await evaluateRules(spec, facts));
    expect(inSandbox).toMatchObject({ outcome: 'review', matched: ['anomalous-page'] });
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    // No timers: json-rules-engine's promises settle within the workflow task, with no command.
    expect(history.events?.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
    await expect(Worker.runReplayHistory({ workflowBundle }, history, workflowId)).resolves.toBeUndefined();
  });
});
