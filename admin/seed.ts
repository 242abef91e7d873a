import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { DEMO_DIRS } from '../config/paths';
import { readModelCards } from '../models/cards';
import type { ModelServices } from './model-services';
import { PipelinesAdmin, readPipelineFile } from './pipelines';
import { registerModelCards, SEED_ACTOR } from './registration';
import { readRuleSetFile, type RuleSetsAdmin } from './rules';

/** Where the model cards, pipeline specs and rule sets to seed live. */
export interface SeedDirs {
  modelsDir: string;
  /** None applied when unset. */
  pipelinesDir?: string;
  /** None applied when unset. */
  rulesDir?: string;
}

/**
 * Applies every spec file in `dir` (`*.yaml`, `*.yml`, `*.json`, in name order; a missing folder
 * holds none) and names the versions it created: an unchanged spec keeps its version.
 */
async function applyDir(dir: string, applyFile: (file: string) => Promise<string | undefined>): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const applied = [];
  for (const file of files) {
    const created = await applyFile(join(dir, file)).catch((err: unknown) => {
      throw new SeedFileError(join(dir, file), err);
    });
    if (created) applied.push(created);
  }
  return applied;
}

/** A spec file applied at start was refused: names the file and the setting that pointed at it. */
export class SeedFileError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `${relative(process.cwd(), file) || file} (applied at start from ARBITER_PIPELINES_DIR or ARBITER_RULES_DIR) ` +
        `was refused: ${why}\nFix the file, register what it names, or point those settings at your own folders ` +
        "('arbiter init' scaffolds a project with its own models, pipelines and rules).",
      { cause },
    );
    this.name = 'SeedFileError';
  }
}

/**
 * The demo's pipelines and rule sets name the demo's models. With models of one's own (ARBITER_MODELS_DIR
 * set elsewhere) and those two settings left at the demo's folders, they are not applied: they could
 * only fail. Returns the folders to apply and, when the demo's were left out, a note saying so.
 */
export function ownSeedDirs(dirs: SeedDirs): { dirs: SeedDirs; note?: string } {
  const isDemo = (dir: string | undefined, demo: string) => dir !== undefined && resolve(dir) === demo;
  if (isDemo(dirs.modelsDir, DEMO_DIRS.models)) return { dirs };
  const leftovers = [
    isDemo(dirs.pipelinesDir, DEMO_DIRS.pipelines) ? 'ARBITER_PIPELINES_DIR' : undefined,
    isDemo(dirs.rulesDir, DEMO_DIRS.rules) ? 'ARBITER_RULES_DIR' : undefined,
  ].filter((s) => s !== undefined);
  if (leftovers.length === 0) return { dirs };
  return {
    dirs: {
      modelsDir: dirs.modelsDir,
      ...(isDemo(dirs.pipelinesDir, DEMO_DIRS.pipelines) ? {} : { pipelinesDir: dirs.pipelinesDir }),
      ...(isDemo(dirs.rulesDir, DEMO_DIRS.rules) ? {} : { rulesDir: dirs.rulesDir }),
    },
    note:
      `ARBITER_MODELS_DIR is your own (${dirs.modelsDir}), so the demo's folders in ${leftovers.join(' and ')} ` +
      "are not applied (they name the demo's models); set them to your own folders ('arbiter init' scaffolds them)",
  };
}

/** Applies every pipeline spec in `dir`; returns the `name@version`s it created. */
export function applyPipelineDir(admin: PipelinesAdmin, dir: string): Promise<string[]> {
  return applyDir(dir, async (file) => {
    const { pipeline, created } = await admin.apply(await readPipelineFile(file), SEED_ACTOR);
    return created ? `${pipeline.name}@${pipeline.version}` : undefined;
  });
}

/** Applies every rule set in `dir`; returns the `name@version`s it created. */
export function applyRuleSetDir(admin: RuleSetsAdmin, dir: string): Promise<string[]> {
  return applyDir(dir, async (file) => {
    const { ruleSet, created } = await admin.apply(await readRuleSetFile(file), SEED_ACTOR);
    return created ? `${ruleSet.name}@${ruleSet.version}` : undefined;
  });
}

/**
 * Registers the model cards (probing each new one), then applies the pipelines and rule sets, in
 * that order: pipelines are validated against the registry. Anything already there is left alone,
 * but for a card's aliases the model does not have yet (`registerModelCards`).
 */
export async function seedFromDirs(
  models: ModelServices,
  ruleSets: RuleSetsAdmin,
  dirs: SeedDirs,
  log: (msg: string) => void,
): Promise<void> {
  const { dirs: own, note } = ownSeedDirs(dirs);
  if (note) log(note);
  const cards = await readModelCards(own.modelsDir);
  const registered = await registerModelCards(models.registry, models.runtime, cards);
  const added = registered.filter((r) => r.created);
  if (added.length > 0) log(`registered models: ${added.map((r) => `${r.name}@${r.version}`).join(', ')}`);
  const aliased = registered
    .filter((r) => !r.created)
    .flatMap((r) => r.aliasesSet.map((a) => `${r.name}:${a}→${r.version}`));
  if (aliased.length > 0) log(`set aliases from model cards: ${aliased.join(', ')}`);
  const pipelines = new PipelinesAdmin(models.pipelines, models.registry);
  const applied = own.pipelinesDir ? await applyPipelineDir(pipelines, own.pipelinesDir) : [];
  if (applied.length > 0) log(`applied pipelines: ${applied.join(', ')}`);
  const rules = own.rulesDir ? await applyRuleSetDir(ruleSets, own.rulesDir) : [];
  if (rules.length > 0) log(`applied rule sets: ${rules.join(', ')}`);
}
