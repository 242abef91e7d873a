import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelRef } from '../core/model-ref';
import type { ModelVersionSpec } from '../core/model-version';
import { readModelCard, specOf } from '../models/cards';
import { registerModel, registerModelCards, RegistrationRejectedError, SEED_ACTOR } from '../admin/registration';
import { RuleSetsAdmin } from '../admin/rules';
import { cliActor } from '../cli/actor';
import { ModelDeprecatedError, ModelNotFoundError, RegistryConflictError } from '../stores/registry-errors';
import { createModelServices, type ModelServices } from '../admin/model-services';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { PipelinesAdmin } from '../admin/pipelines';
import { createLoadPipeline } from '../activities/load-pipeline';
import { PinCache } from '../activities/pin-cache';
import { registryGeneration } from '../stores/registry-generation';
import { MODELS_DIR } from './helpers/models';

let db: TestDatabase;
let models: ModelServices;
let lr: ModelVersionSpec;

beforeAll(async () => {
  db = await createTestDatabase();
  models = createModelServices(db.pool, MODELS_DIR);
  lr = specOf(await readModelCard(`${MODELS_DIR}/phishing-lr/model.json`));
});
afterAll(async () => {
  await models?.close();
  await db?.close();
});

const named = (name: string): ModelVersionSpec => ({ ...lr, name });

describe('model registry (PostgreSQL)', () => {
  it('numbers versions per model, moves aliases atomically and keeps their history', async () => {
    const { registry } = models;
    const v1 = await registry.register(named('reg-a'), { aliases: ['champion'], reason: 'first' });
    const v2 = await registry.register({ ...named('reg-a'), description: 'retrained' }, { aliases: ['challenger'] });
    expect([v1.version.version, v2.version.version]).toEqual(['1', '2']);
    await registry.promote('reg-a', 'champion', '2', 'beat v1 on held-out AUC');
    const details = await registry.show('reg-a');
    expect(details.aliases).toEqual({ champion: '2', challenger: '2' });
    expect(details.aliasHistory.map((e) => [e.alias, e.from, e.to, e.reason])).toEqual([
      ['champion', null, '1', 'first'],
      ['challenger', null, '2', 'registered'],
      ['champion', '1', '2', 'beat v1 on held-out AUC'],
    ]);
    expect((await registry.resolve(parseModelRef('reg-a'))).version).toBe('2');
    expect((await registry.resolve(parseModelRef('reg-a@1'))).version).toBe('1');
  });

  it('keeps versions immutable in the database itself', async () => {
    await models.registry.register(named('reg-b'));
    await expect(db.pool.query(`UPDATE model_versions SET uri = 'elsewhere' WHERE name = 'reg-b'`)).rejects.toThrow(
      /immutable/,
    );
  });

  it('gives concurrent registrations distinct versions', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => models.registry.register({ ...named('reg-c'), description: `r${i}` })),
    );
    expect(results.map((r) => r.version.version).sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('returns the latest version unchanged for an identical spec, and adds one for any change', async () => {
    const first = await registerModel(models.registry, models.runtime, named('reg-d'), { aliases: ['champion'] });
    // The same card again, its JSON keys in another order (jsonb reorders them anyway): nothing new.
    const reordered = { ...named('reg-d'), config: Object.fromEntries(Object.entries(lr.config ?? {}).reverse()) };
    const again = await registerModel(models.registry, models.runtime, reordered, { aliases: ['champion'] });
    expect(again).toEqual({ version: first.version, created: false, aliasesSet: [] });
    const changes: [string, Partial<ModelVersionSpec>][] = [
      ['metrics', { metrics: { roc_auc: 0.5 } }],
      ['description', { description: 'retrained' }],
      ['config', { config: { ...lr.config, inputName: 'other' } }],
      ['uri', { uri: 'phishing-gb/model.onnx' }],
    ];
    for (const [field, change] of changes) {
      const changed = await models.registry.register({ ...named('reg-d'), ...change });
      expect({ field, created: changed.created }).toEqual({ field, created: true });
    }
    expect((await models.registry.show('reg-d')).versions.map((v) => v.version)).toEqual(['1', '2', '3', '4', '5']);
    // Identical to an older version but not the latest: a new version (the latest is what is served).
    expect((await models.registry.register(named('reg-d'))).version.version).toBe('6');
  });

  it('sets only missing aliases on an unchanged registration, never moving one', async () => {
    const { registry } = models;
    await registry.register(named('reg-i'), { aliases: ['challenger'] });
    const b = { ...named('reg-i'), description: 'b' };
    await registry.register(b);
    const again = await registry.register(b, { aliases: ['champion', 'challenger'], reason: 'card' });
    expect(again).toMatchObject({ version: { version: '2' }, created: false, aliasesSet: ['champion'] });
    const details = await registry.show('reg-i');
    expect(details.aliases).toEqual({ champion: '2', challenger: '1' });
    expect(details.aliasHistory.map((e) => [e.alias, e.to, e.reason])).toEqual([
      ['challenger', '1', 'registered'],
      ['champion', '2', 'card'],
    ]);
  });

  it('adds a version for the spec of a deprecated latest version (the way to serve it again)', async () => {
    const { registry } = models;
    await registry.register(named('reg-j'));
    await registry.deprecate('reg-j', '1', 'bad export');
    expect(await registry.register(named('reg-j'))).toMatchObject({ version: { version: '2' }, created: true });
  });

  it('seeds model cards idempotently: aliases added to a card take effect, moved ones stay', async () => {
    const { registry, runtime } = models;
    const card = { ...named('reg-k'), aliases: [] as string[] };
    // First start: the card had no aliases.
    expect(await registerModelCards(registry, runtime, [card])).toEqual([
      { name: 'reg-k', version: '1', created: true, aliasesSet: [] },
    ]);
    // `models register --file` of the same card: unchanged, not an identical @2.
    expect((await registerModel(registry, runtime, named('reg-k'))).created).toBe(false);
    // The card now names aliases: the next start sets them, on the version it already has.
    const withAliases = { ...card, aliases: ['champion', 'challenger'] };
    expect(await registerModelCards(registry, runtime, [withAliases])).toEqual([
      { name: 'reg-k', version: '1', created: false, aliasesSet: ['champion', 'challenger'] },
    ]);
    // An operator registers and promotes a new version; restarts leave that alone.
    await registry.register({ ...named('reg-k'), description: 'v2' });
    await registry.promote('reg-k', 'champion', '2', 'better');
    for (let start = 0; start < 2; start++) {
      expect(await registerModelCards(registry, runtime, [withAliases])).toEqual([
        { name: 'reg-k', version: '1', created: false, aliasesSet: [] },
      ]);
    }
    const details = await registry.show('reg-k');
    expect(details.versions).toHaveLength(2);
    expect(details.aliases).toEqual({ champion: '2', challenger: '1' });
  });

  it('names what exists when a model, version or alias is unknown', async () => {
    await models.registry.register(named('reg-e'), { aliases: ['champion'] });
    const cases: [string, RegExp][] = [
      ['reg-e:nope', /available: reg-e@1, reg-e:champion/],
      ['reg-e@7', /available: reg-e@1, reg-e:champion/],
      ['missing-model', /unknown model missing-model:champion; available: .*reg-e/],
    ];
    for (const [ref, message] of cases) {
      const err = await models.registry.resolve(parseModelRef(ref)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelNotFoundError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('refuses to deprecate an aliased version, and refuses deprecated versions for new work', async () => {
    const { registry } = models;
    await registry.register(named('reg-f'), { aliases: ['champion'] });
    await registry.register({ ...named('reg-f'), description: 'v2' });
    await expect(registry.deprecate('reg-f', '1', 'leaks a feature')).rejects.toBeInstanceOf(RegistryConflictError);
    await registry.promote('reg-f', 'champion', '2', 'replace v1');
    const deprecated = await registry.deprecate('reg-f', '1', 'leaks a feature');
    expect(deprecated.deprecationReason).toBe('leaks a feature');
    await expect(registry.resolve(parseModelRef('reg-f@1'))).rejects.toBeInstanceOf(ModelDeprecatedError);
    await expect(registry.promote('reg-f', 'champion', '1', 'back')).rejects.toBeInstanceOf(ModelDeprecatedError);
    // A workflow that pinned v1 before it was deprecated still finds it.
    expect((await registry.getVersion('reg-f', '1'))?.version).toBe('1');
  });

  it('rejects a version whose file does not load, before storing anything', async () => {
    const broken = { ...named('reg-g'), uri: 'phishing-lr/no-such-file.onnx' };
    const err = await registerModel(models.registry, models.runtime, broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistrationRejectedError);
    expect((err as Error).message).toContain('no-such-file.onnx');
    await expect(models.registry.show('reg-g')).rejects.toBeInstanceOf(ModelNotFoundError);
  });

  it('rejects an endpoint that does not answer', async () => {
    const remote: ModelVersionSpec = {
      ...named('reg-h'),
      kind: 'http-json',
      uri: 'http://127.0.0.1:9/score',
      config: {},
    };
    const err = await registerModel(models.registry, models.runtime, remote, { probeTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistrationRejectedError);
    expect((err as Error).message).toMatch(/unreachable|did not answer/);
  });
});

describe('pinning cache (activities/pin-cache.ts)', () => {
  it('pins from the registry once per generation and again after any change to it', async () => {
    const { registry, pipelines } = models;
    await registry.register(named('pin-a'), { aliases: ['champion'] });
    await registry.register({ ...named('pin-a'), description: 'v2' }, { aliases: ['challenger'] });
    await new PipelinesAdmin(pipelines, registry).apply({
      name: 'pin-p',
      steps: [{ id: 'a', type: 'model', model: 'pin-a:champion' }],
      output: 'a',
    });
    let reads = 0;
    const counted = { get: (name: string) => (reads++, pipelines.get(name)) } as typeof pipelines;
    // As the worker pins: by the embedded database's watch on PGlite, by the table on PostgreSQL.
    const watched = db.registryGeneration;
    const loadPipeline = createLoadPipeline({
      pipelines: counted,
      registry,
      pins: new PinCache(async () => watched?.() ?? registryGeneration(db.pool)),
    });
    const first = await loadPipeline({ name: 'pin-p' });
    const again = await loadPipeline({ name: 'pin-p' });
    expect([first.pins['pin-a:champion']?.version, again.pins['pin-a:champion']?.version]).toEqual(['1', '1']);
    expect(reads).toBe(1);
    // A promotion (from any process) bumps the generation: the next decision pins anew.
    const before = await registryGeneration(db.pool);
    await registry.promote('pin-a', 'champion', '2', 'better');
    expect(BigInt(await registryGeneration(db.pool))).toBeGreaterThan(BigInt(before));
    expect((await loadPipeline({ name: 'pin-p' })).pins['pin-a:champion']?.version).toBe('2');
    expect(reads).toBe(2);
  });
});

describe('actors (who registered, moved, applied)', () => {
  it("records the CLI's actor on a registration, an alias move, a pipeline and a rule set, and shows it", async () => {
    const { registry, pipelines } = models;
    const actor = cliActor();
    expect(actor).toBe(`cli:${userInfo().username}`);
    await registry.register(named('act-a'), { aliases: ['champion'], actor });
    await registry.register({ ...named('act-a'), description: 'v2' }, { actor: 'ana' });
    await registry.promote('act-a', 'champion', '2', 'better', 'ana');
    const shown = await registry.show('act-a');
    expect(shown.versions.map((v) => [v.version, v.actor])).toEqual([
      ['1', actor],
      ['2', 'ana'],
    ]);
    expect(shown.aliasHistory.map((e) => [e.to, e.actor])).toEqual([
      ['1', actor],
      ['2', 'ana'],
    ]);
    // An unchanged apply keeps the version and the actor who first applied it.
    const admin = new PipelinesAdmin(pipelines, registry);
    const spec = { name: 'act-p', steps: [{ id: 'a', type: 'model', model: 'act-a:champion' }], output: 'a' };
    expect((await admin.apply(spec, actor)).pipeline.actor).toBe(actor);
    expect((await admin.apply(spec, 'ana')).pipeline).toMatchObject({ version: '1', actor });
    const rules = RuleSetsAdmin.fromPool(db.pool);
    const ruleSet = { name: 'act-r', rules: [], default: { outcome: 'approve', reason: 'none matched' } };
    await rules.apply(ruleSet, 'ana');
    expect((await rules.show('act-r')).map((r) => r.actor)).toEqual(['ana']);
  });

  it("records model cards seeded at start as 'seed'", async () => {
    await registerModelCards(models.registry, models.runtime, [{ ...named('act-seed'), aliases: ['champion'] }]);
    const shown = await models.registry.show('act-seed');
    expect([shown.versions[0]?.actor, shown.aliasHistory[0]?.actor]).toEqual([SEED_ACTOR, SEED_ACTOR]);
  });
});
