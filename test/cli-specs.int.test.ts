import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../cli/stack/ports';
import { runArbiter } from './helpers/arbiter-cli';
import { PROJECT_ROOT } from '../config/env';
import { openPool } from '../stores/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../stores/embedded-pg';
import { migrate } from '../stores/migrations';
import { ModelRegistry } from '../stores/registry-store';

// The real `arbiter` command on specs and cards, against a migrated database and no Temporal: these
// commands talk to the database only. The database is always its own PGlite (as in cli.int.test.ts,
// the CLI talks to whole databases, so a schema of a shared one would not isolate it).

const DEMO_RULES = join(PROJECT_ROOT, 'demo', 'rules', 'demo.yaml');
const LR_CARD = join(PROJECT_ROOT, 'demo', 'models', 'phishing-lr', 'model.json');
let pg: EmbeddedPostgres;
let dir: string;

async function arbiter(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _shared, ...rest } = process.env;
  const env = { ...rest, DATABASE_URL: pg.url, ARBITER_DATA_DIR: dir, NO_COLOR: '1' };
  return runArbiter(args, env);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arbiter-cli-specs-'));
  pg = await startEmbeddedPostgres({ port: await freePort() });
  const pool = await openPool(pg.url, { max: 1 });
  await migrate(pool);
  await pool.end();
});
afterAll(async () => {
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('arbiter rules', () => {
  it('validates (no database needed), applies YAML and JSON, lists and shows rule sets', async () => {
    const demo = parse(await readFile(DEMO_RULES, 'utf8')) as Record<string, unknown>;
    const changed = join(dir, 'demo.json');
    await writeFile(changed, JSON.stringify({ ...demo, description: 'stricter' }));
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'name: bad\nrules:\n  - { name: a, priorty: 2, when: { fact: scor, operator: equal, value: 1 }, outcome: decline, reason: x }\ndefault: { outcome: approve, reason: ok }\n',
    );

    const valid = await arbiter('rules', 'validate', DEMO_RULES);
    expect([valid.code, valid.stdout.trim()]).toEqual([0, `${DEMO_RULES}: valid`]);
    const invalid = await arbiter('rules', 'validate', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(`${bad}: rules.0.priorty: unknown field 'priorty' (did you mean 'priority'?)`);

    const applied = [DEMO_RULES, DEMO_RULES, changed];
    const lines = [];
    for (const file of applied) lines.push((await arbiter('rules', 'apply', file)).stdout.trim());
    expect(lines).toEqual(['demo@1 applied', 'demo@1 unchanged', 'demo@2 applied']);

    const refused = await arbiter('rules', 'apply', bad);
    expect(refused.code).toBe(1);
    // Every problem at once: the unknown key does not hide the unknown fact.
    expect(refused.stderr).toMatch(/^arbiter: rule set bad is invalid:\n {2}rules\.0\.priorty: unknown field/);
    expect(refused.stderr).toContain("  rules.0.when.fact: unknown fact 'scor'");
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const list = await arbiter('rules', 'list', '--json');
    const latest = JSON.parse(list.stdout) as { name: string; version: string; spec: { description?: string } }[];
    expect(latest.map((r) => [r.name, r.version, r.spec.description])).toEqual([['demo', '2', 'stricter']]);
    const table = await arbiter('rules', 'list');
    expect(table.stdout).toMatch(/demo\s*│\s*2\s*│\s*6\s*│\s*approve/);
    const show = await arbiter('rules', 'show', 'demo', '--json');
    // Applied from the CLI: recorded as `cli:<os user>`.
    const versions = JSON.parse(show.stdout) as { version: string; actor: string | null }[];
    expect(versions.map((v) => [v.version, v.actor])).toEqual([
      ['1', `cli:${userInfo().username}`],
      ['2', `cli:${userInfo().username}`],
    ]);
    const unknown = await arbiter('rules', 'show', 'nope');
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, 'arbiter: unknown rule set nope; available: demo']);
  });
});

describe('arbiter models register and pipelines validate, on specs as people write them', () => {
  it('registers a card once: the same card again is unchanged, and only sets aliases that do not exist', async () => {
    const first = await arbiter('models', 'register', '--file', LR_CARD);
    expect([first.code, first.stdout.trim()]).toEqual([0, 'registered phishing-lr@1 (onnx) as challenger']);
    const again = await arbiter('models', 'register', '--file', LR_CARD);
    expect(again.stdout.trim()).toBe('phishing-lr@1 unchanged; challenger already');
    const aliased = await arbiter('models', 'register', '--file', LR_CARD, '--alias', 'champion', '--json');
    expect(JSON.parse(aliased.stdout)).toMatchObject({ version: '1', created: false, aliasesSet: ['champion'] });
  });

  it('refuses an unknown key in a pipeline spec, naming its path and the field meant', async () => {
    const spec = join(dir, 'stacked.yaml');
    await writeFile(
      spec,
      [
        'name: stacked',
        'steps:',
        '  - { id: a, type: model, model: phishing-lr:challenger }',
        '  - { id: out, type: combine, method: stacking, inputs: [a], model: phishing-lr:challenger, metaModel: x }',
        'output: out',
      ].join('\n'),
    );
    const out = await arbiter('pipelines', 'validate', spec);
    expect(out.code).toBe(1);
    expect(out.stdout.trim()).toBe(`${spec}: steps.1.metaModel: unknown field 'metaModel' (did you mean 'model'?)`);
  });
});

describe('arbiter models: secrets', () => {
  const token = 'Bearer cli-literal-7f3a9c';
  const spec = {
    name: 'legacy-api',
    kind: 'http-json' as const,
    uri: 'https://svc:uri-pw-4d2e@127.0.0.1:1',
    config: { headers: { authorization: token, 'x-trace': 'on' }, probeInput: {} },
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object', properties: { score: { type: 'number' } } },
  };

  it('refuses to register a literal token, saying how to give it by name', async () => {
    const file = join(dir, 'literal.json');
    await writeFile(file, JSON.stringify({ ...spec, name: 'literal-api' }));
    const out = await arbiter('models', 'register', '--file', file);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('not registered: literal-api holds literal credentials at uri');
    expect(out.stderr).toContain('config.headers.authorization');
    expect(out.stderr).toContain('{ "env": "FRAUD_API_TOKEN" }');
    expect(out.stderr).not.toMatch(/cli-literal|uri-pw/);
  });

  it('never prints a literal stored before literals were refused (show and list, text and --json)', async () => {
    const pool = await openPool(pg.url, { max: 1 });
    try {
      await new ModelRegistry(pool).register(spec, { aliases: ['champion'] }); // as an older Arbiter stored it
    } finally {
      await pool.end();
    }
    const runs = await Promise.all([
      arbiter('models', 'show', 'legacy-api', '--json'),
      arbiter('models', 'show', 'legacy-api'),
      arbiter('models', 'list', '--json'),
      arbiter('models', 'list'),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toMatch(/cli-literal|uri-pw/);
    }
    expect(runs[1]?.stdout).toContain('https://***:***@127.0.0.1:1/');
    expect(runs[3]?.stdout).toContain('legacy-api');
    const shown = JSON.parse(runs[0]?.stdout ?? '{}') as { versions: { uri: string; config: unknown }[] };
    expect(shown.versions[0]).toMatchObject({
      uri: 'https://***:***@127.0.0.1:1/',
      config: { headers: { authorization: '***', 'x-trace': 'on' } },
    });
  });
});
