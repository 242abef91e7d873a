import type { Pool } from 'pg';
import { ADAPTER_FACTORIES } from '../models/adapters';
import { ModelRuntime } from '../models/runtime';
import { ModelRegistry } from '../stores/registry-store';

/** The registry and the adapter runtime over one database, as every process that calls models needs them. */
export interface ModelServices {
  registry: ModelRegistry;
  runtime: ModelRuntime;
  close(): Promise<void>;
}

/** Wires the registry (PostgreSQL) to a runtime that loads adapters for pinned versions. */
export function createModelServices(pool: Pool, modelsDir: string): ModelServices {
  const registry = new ModelRegistry(pool);
  const runtime = new ModelRuntime(registry, { modelsDir }, ADAPTER_FACTORIES);
  return { registry, runtime, close: () => runtime.close() };
}
