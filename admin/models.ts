import type { Pool } from 'pg';
import { parseModelRef } from '../core/model-ref';
import type { ModelVersion, ModelVersionSpec } from '../core/model-version';
import { redactSecrets } from '../core/secrets';
import { registerModel, type RegisterModelOptions } from './registration';
import { openPool } from '../stores/db';
import type { AliasEvent, ModelSummary } from '../stores/registry-rows';
import type { ModelDetails, Registered } from '../stores/registry-store';
import { citedBacktest } from './evidence';
import { createModelServices, type ModelServices } from './model-services';

/**
 * The registry as users drive it: register (after proving the model answers), list, show,
 * promote an alias, deprecate. Talks to the registry's PostgreSQL directly. Every version it returns
 * has its literal credentials replaced by `***` (`redactSecrets`): versions stored before literals
 * were refused may hold some, and only the workers, which read the registry themselves, may use them.
 */
export class ModelsAdmin {
  private constructor(
    private readonly services: ModelServices,
    /** Where cited backtests are checked. */
    private readonly database: Pool,
    /** A pool this admin opened itself (`connect`), ended by `close`. */
    private readonly pool?: Pool,
  ) {}

  /** Opens its own pool on `databaseUrl`; `close()` ends it. */
  static async connect(databaseUrl: string, modelsDir: string): Promise<ModelsAdmin> {
    const pool = await openPool(databaseUrl, { max: 2 });
    return new ModelsAdmin(createModelServices(pool, modelsDir), pool, pool);
  }

  /** Uses an existing pool (kept open by its owner). */
  static fromPool(pool: Pool, modelsDir: string): ModelsAdmin {
    return new ModelsAdmin(createModelServices(pool, modelsDir), pool);
  }

  /**
   * Probes the model, then stores the next version; a spec identical to the latest version returns
   * that version unchanged (`created: false`). @throws RegistrationRejectedError when it does not answer
   */
  async register(spec: ModelVersionSpec, options: RegisterModelOptions = {}): Promise<Registered> {
    const registered = await registerModel(this.services.registry, this.services.runtime, spec, options);
    return { ...registered, version: redactSecrets(registered.version) };
  }

  list(): Promise<ModelSummary[]> {
    return this.services.registry.list();
  }

  async show(name: string): Promise<ModelDetails> {
    const details = await this.services.registry.show(name);
    return { ...details, versions: details.versions.map(redactSecrets) };
  }

  /**
   * Points `alias` at the version `ref` names (`name@version`, or `name:other-alias`'s current version).
   * @param actor who moves it, for the alias history @default null
   * @param backtestId a finished backtest cited as the evidence, recorded with the move @default none
   * @throws BacktestEvidenceError when the cited backtest does not exist or has not finished
   */
  async promote(ref: string, alias: string, reason: string, actor?: string, backtestId?: string): Promise<AliasEvent> {
    const target = await this.services.registry.resolve(parseModelRef(ref));
    const cited = await citedBacktest(this.database, backtestId);
    return this.services.registry.promote(target.name, alias, target.version, reason, actor, cited);
  }

  /** Deprecates `name@version`. */
  async deprecate(ref: string, reason: string): Promise<ModelVersion> {
    const parsed = parseModelRef(ref);
    if (!('version' in parsed)) throw new Error(`deprecate needs name@version, got '${ref}'`);
    return redactSecrets(await this.services.registry.deprecate(parsed.name, parsed.version, reason));
  }

  async close(): Promise<void> {
    await this.services.close();
    await this.pool?.end();
  }
}
