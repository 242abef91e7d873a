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

/** The spec files in `dir` (`*.yaml`, `*.yml`, `*.json`), in name order; a missing folder holds none. */
async function specFiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  return files.map((f) => join(dir, f));
}

/** Applies every `*.yaml` / `*.json` pipeline in `dir` (unchanged specs keep their version). */
export async function applyPipelineDir(admin: PipelinesAdmin, dir: string): Promise<string[]> {
  const applied = [];
  for (const file of await specFiles(dir)) {
    const { pipeline, created } = await admin.apply(await readPipelineFile(file));
    if (created) applied.push(`${pipeline.name}@${pipeline.version}`);
  }
  return applied;
}

/** Applies every `*.yaml` / `*.json` rule set in `dir` (unchanged ones keep their version). */
export async function applyRuleSetDir(admin: RuleSetsAdmin, dir: string): Promise<string[]> {
  const applied = [];
  for (const file of await specFiles(dir)) {
    const { ruleSet, created } = await admin.apply(await readRuleSetFile(file));
    if (created) applied.push(`${ruleSet.name}@${ruleSet.version}`);
  }
  return applied;
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
