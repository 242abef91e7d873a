import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServices, type ModelServices } from '../admin/model-services';
import { RuleSetsAdmin } from '../admin/rules';
import { ownSeedDirs, SeedFileError, seedFromDirs } from '../admin/seed';
import { DEMO_DIRS } from '../config/paths';
import { RuleSetStore } from '../stores/rules-store';
import { createTestDatabase, type TestDatabase } from './helpers/database';

// Issue 15, point 1: pointing ARBITER_MODELS_DIR at one's own models must not fail on the demo's pipelines.
describe('ownSeedDirs: the demo folders are left out beside models of ones own', () => {
  const own = '/srv/my-models';
  it.each([
    ['all demo', DEMO_DIRS.models, DEMO_DIRS.pipelines, DEMO_DIRS.rules, true, true, false],
    ['own models, demo pipelines and rules', own, DEMO_DIRS.pipelines, DEMO_DIRS.rules, false, false, true],
    ['own models and pipelines, demo rules', own, '/srv/p', DEMO_DIRS.rules, true, false, true],
    ['all own', own, '/srv/p', '/srv/r', true, true, false],
  ])('%s', (_name, modelsDir, pipelinesDir, rulesDir, keepsPipelines, keepsRules, noted) => {
    const { dirs, note } = ownSeedDirs({ modelsDir, pipelinesDir, rulesDir });
    expect(dirs.modelsDir).toBe(modelsDir);
    expect(dirs.pipelinesDir).toBe(keepsPipelines ? pipelinesDir : undefined);
    expect(dirs.rulesDir).toBe(keepsRules ? rulesDir : undefined);
    expect(note !== undefined).toBe(noted);
    if (noted) expect(note).toContain('arbiter init');
  });
});

describe('seedFromDirs on a real database', () => {
  let db: TestDatabase;
  let models: ModelServices;
  let dir: string;
  const logs: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    models = createModelServices(db.pool, DEMO_DIRS.models);
    dir = await mkdtemp(join(tmpdir(), 'arbiter-seed-'));
    await mkdir(join(dir, 'models'));
    await mkdir(join(dir, 'pipelines'));
    await writeFile(
      join(dir, 'pipelines', 'mine.yaml'),
      'name: mine\noutput: s\nsteps:\n  - { id: s, type: model, model: not-registered:champion }\n',
    );
  });
  afterAll(async () => {
    await models.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('with own (empty) models and the demo folders left as they are, starts and says why nothing was applied', async () => {
    const ruleSets = new RuleSetsAdmin(new RuleSetStore(db.pool));
    const dirs = { modelsDir: join(dir, 'models'), pipelinesDir: DEMO_DIRS.pipelines, rulesDir: DEMO_DIRS.rules };
    await seedFromDirs(models, ruleSets, dirs, (m) => logs.push(m));
    expect(await models.pipelines.list()).toEqual([]);
    expect(logs.join('\n')).toContain(
      "the demo's folders in ARBITER_PIPELINES_DIR and ARBITER_RULES_DIR are not applied",
    );
  });

  it('a pipeline of ones own naming an unknown model fails naming its file and what to do', async () => {
    const ruleSets = new RuleSetsAdmin(new RuleSetStore(db.pool));
    const dirs = { modelsDir: join(dir, 'models'), pipelinesDir: join(dir, 'pipelines') };
    const err = await seedFromDirs(models, ruleSets, dirs, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeedFileError);
    expect((err as SeedFileError).file).toBe(join(dir, 'pipelines', 'mine.yaml'));
    expect((err as Error).message).toMatch(/not-registered/);
    expect((err as Error).message).toContain('ARBITER_PIPELINES_DIR');
  });
});
