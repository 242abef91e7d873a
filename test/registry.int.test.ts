import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelRef } from '../core/model-ref';
import type { ModelVersionSpec } from '../core/model-version';
import { readModelCard, specOf } from '../models/cards';
import { registerModel, RegistrationRejectedError } from '../admin/registration';
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

  it('reuses an identical spec when asked instead of adding a version', async () => {
    const first = await models.registry.register(named('reg-d'), { reuseIdentical: true, aliases: ['champion'] });
    const again = await models.registry.register(named('reg-d'), { reuseIdentical: true, aliases: ['champion'] });
    expect(again).toEqual({ version: first.version, created: false });
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
    await registry.register(named('reg-f'));
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
    await registry.register(named('pin-a'), { aliases: ['challenger'] });
    await new PipelinesAdmin(pipelines, registry).apply({
      name: 'pin-p',
      steps: [{ id: 'a', type: 'model', model: 'pin-a:champion' }],
      output: 'a',
    });
    let reads = 0;
    const counted = { get: (name: string) => (reads++, pipelines.get(name)) } as typeof pipelines;
    const loadPipeline = createLoadPipeline({
      pipelines: counted,
      registry,
      pins: new PinCache(() => registryGeneration(db.pool)),
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
