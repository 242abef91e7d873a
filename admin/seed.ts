import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelCards } from '../models/cards';
import type { ModelServices } from './model-services';
import { PipelinesAdmin, readPipelineFile } from './pipelines';
import { registerModelCards } from './registration';
import { readRuleSetFile, type RuleSetsAdmin } from './rules';

/** Where the model cards, pipeline specs and rule sets to seed live. */
export interface SeedDirs {
  modelsDir: string;
  pipelinesDir: string;
  rulesDir: string;
}

/**
 * Applies every spec file in `dir` (`*.yaml`, `*.yml`, `*.json`, in name order; a missing folder
 * holds none) and names the versions it created: an unchanged spec keeps its version.
 */
async function applyDir(dir: string, applyFile: (file: string) => Promise<string | undefined>): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const applied = [];
  for (const file of files) {
    const created = await applyFile(join(dir, file));
    if (created) applied.push(created);
  }
  return applied;
}

/** Applies every pipeline spec in `dir`; returns the `name@version`s it created. */
export function applyPipelineDir(admin: PipelinesAdmin, dir: string): Promise<string[]> {
  return applyDir(dir, async (file) => {
    const { pipeline, created } = await admin.apply(await readPipelineFile(file));
    return created ? `${pipeline.name}@${pipeline.version}` : undefined;
  });
}

/** Applies every rule set in `dir`; returns the `name@version`s it created. */
export function applyRuleSetDir(admin: RuleSetsAdmin, dir: string): Promise<string[]> {
  return applyDir(dir, async (file) => {
    const { ruleSet, created } = await admin.apply(await readRuleSetFile(file));
    return created ? `${ruleSet.name}@${ruleSet.version}` : undefined;
  });
}

/**
 * Registers the model cards (probing each new one), then applies the pipelines and rule sets, in
 * that order: pipelines are validated against the registry. Anything already there is left alone.
 */
export async function seedFromDirs(
  models: ModelServices,
  ruleSets: RuleSetsAdmin,
  dirs: SeedDirs,
  log: (msg: string) => void,
): Promise<void> {
  const cards = await readModelCards(dirs.modelsDir);
  const added = (await registerModelCards(models.registry, models.runtime, cards)).filter((r) => r.created);
  if (added.length > 0) log(`registered models: ${added.map((r) => `${r.name}@${r.version}`).join(', ')}`);
  const applied = await applyPipelineDir(new PipelinesAdmin(models.pipelines, models.registry), dirs.pipelinesDir);
  if (applied.length > 0) log(`applied pipelines: ${applied.join(', ')}`);
  const rules = await applyRuleSetDir(ruleSets, dirs.rulesDir);
  if (rules.length > 0) log(`applied rule sets: ${rules.join(', ')}`);
}
