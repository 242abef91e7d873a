import { join } from 'node:path';
import type { ModelVersion } from '../../core/model-version';
import { ADAPTER_FACTORIES } from '../../models/adapters';
import { readModelCards, specOf, type ModelCard } from '../../models/cards';
import { ModelRuntime } from '../../models/runtime';
import { PROJECT_ROOT } from '../../config/env';

export const MODELS_DIR = join(PROJECT_ROOT, 'demo', 'models');

/** A card as the registry would hand it back as version 1 (for tests that need no database). */
export function asVersion(card: ModelCard, version = '1'): ModelVersion {
  const spec = specOf(card);
  return {
    ...spec,
    config: spec.config ?? {},
    metrics: spec.metrics ?? {},
    version,
    createdAt: new Date(0).toISOString(),
    deprecatedAt: null,
    deprecationReason: null,
  };
}

/** A runtime over the committed model cards, every one as version 1, without a registry. */
export async function cardRuntime(): Promise<ModelRuntime> {
  const versions = new Map((await readModelCards(MODELS_DIR)).map((c) => [`${c.name}@1`, asVersion(c)]));
  const source = { getVersion: (name: string, version: string) => Promise.resolve(versions.get(`${name}@${version}`)) };
  return new ModelRuntime(source, { modelsDir: MODELS_DIR }, ADAPTER_FACTORIES);
}
