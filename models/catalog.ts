import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelCard } from './card';
import { OnnxClassifier } from './onnx-classifier';
import type { ModelRef } from '../core/workflow-input';

/** Finds and loads models by name and version. */
export interface ModelProvider {
  get(ref: ModelRef): Promise<OnnxClassifier>;
  list(): Promise<ModelRef[]>;
  close(): Promise<void>;
}

/** Thrown when a model reference names nothing the provider knows; lists what exists. */
export class ModelNotFoundError extends Error {
  constructor(
    readonly ref: ModelRef,
    readonly available: ModelRef[],
  ) {
    const known = available.map((m) => `${m.name}@${m.version}`).join(', ') || 'none';
    super(`unknown model ${ref.name}@${ref.version}; available: ${known}`);
    this.name = 'ModelNotFoundError';
  }
}

/**
 * Models committed as `<dir>/<name>/model.json` + `model.onnx`. Sessions are created on first use
 * and cached; concurrent first calls share one load.
 */
export function createDirectoryModelProvider(dir: string): ModelProvider {
  const loaded = new Map<string, Promise<OnnxClassifier>>();
  const list = async (): Promise<ModelRef[]> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const cards = await Promise.all(
      entries
        .filter((e) => e.isDirectory())
        .map((e) => readModelCard(join(dir, e.name, 'model.json')).catch(() => null)),
    );
    return cards.flatMap((c) => (c ? [{ name: c.name, version: c.version }] : []));
  };
  const load = async (ref: ModelRef): Promise<OnnxClassifier> => {
    const available = await list();
    if (!available.some((m) => m.name === ref.name && m.version === ref.version)) {
      throw new ModelNotFoundError(ref, available);
    }
    const card = await readModelCard(join(dir, ref.name, 'model.json'));
    return OnnxClassifier.load(card, join(dir, ref.name, 'model.onnx'));
  };
  return {
    list,
    get(ref) {
      const key = `${ref.name}@${ref.version}`;
      let model = loaded.get(key);
      if (!model) {
        model = load(ref);
        loaded.set(key, model);
        // A failed load must not poison the cache: the next call tries again.
        model.catch(() => loaded.delete(key));
      }
      return model;
    },
    async close() {
      const models = await Promise.allSettled(loaded.values());
      loaded.clear();
      await Promise.all(models.flatMap((m) => (m.status === 'fulfilled' ? [m.value.release()] : [])));
    },
  };
}
