import type { Pool } from 'pg';
import { ADAPTER_FACTORIES } from '../models/adapters';
import { CircuitBreakers, type BreakerOptions } from '../models/circuit-breaker';
import { ModelRuntime } from '../models/runtime';
import { PipelineStore } from '../stores/pipeline-store';
import { ModelRegistry } from '../stores/registry-store';

/** The registry, pipelines and the adapter runtime over one database, as every process that calls models needs them. */
export interface ModelServices {
  registry: ModelRegistry;
  pipelines: PipelineStore;
  runtime: ModelRuntime;
  breakers: CircuitBreakers;
  close(): Promise<void>;
}

/** Wires the registry (PostgreSQL) to a runtime that loads circuit-broken adapters for pinned versions. */
export function createModelServices(
  pool: Pool,
  modelsDir: string,
  breaker: Partial<BreakerOptions> = {},
): ModelServices {
  const registry = new ModelRegistry(pool);
  const breakers = new CircuitBreakers(breaker);
  const runtime = new ModelRuntime(registry, { modelsDir }, ADAPTER_FACTORIES, (adapter) => breakers.wrap(adapter));
  return {
    registry,
    pipelines: new PipelineStore(pool),
    runtime,
    breakers,
    async close() {
      await runtime.close();
      breakers.shutdown();
    },
  };
}
