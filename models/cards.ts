import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CaseIssue } from '../core/case';
import { AliasNameSchema } from '../core/model-ref';
import { ModelVersionSpecSchema, type ModelVersionSpec } from '../core/model-version';
import { parseSpec } from '../core/unknown-keys';

/**
 * A model card (`<dir>/<model>/model.json`): the registration spec, the aliases a fresh registry
 * gives it, and provenance (data, split, export checks) kept as documentation.
 */
export const ModelCardSchema = ModelVersionSpecSchema.extend({
  aliases: z.array(AliasNameSchema).default([]),
  card: z.record(z.string(), z.unknown()).optional(),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

/** A card that cannot be registered; `issues` lists every problem with its path in the card. */
export class ModelCardInvalidError extends Error {
  constructor(
    readonly source: string,
    readonly issues: CaseIssue[],
  ) {
    super(`invalid model card ${source}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ModelCardInvalidError';
  }
}

/** Checks a card as written, unknown keys included (a misspelt `metrics` would be dropped in silence). */
export function parseModelCard(raw: unknown, source: string): ModelCard {
  const { data, issues } = parseSpec(ModelCardSchema, raw);
  if (!data || issues.length > 0) throw new ModelCardInvalidError(source, issues);
  return data;
}

/** Reads one card; a malformed card is a packaging bug, reported with its path and every problem. */
export async function readModelCard(path: string): Promise<ModelCard> {
  const text = await readFile(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseModelCard(raw, path);
}

/** Every card under `dir` (one directory per model), sorted by name. */
export async function readModelCards(dir: string): Promise<ModelCard[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const paths = entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name, 'model.json'));
  const cards = await Promise.all(
    paths.map((p) =>
      readModelCard(p).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err))),
    ),
  );
  return cards.filter((c): c is ModelCard => c !== null).sort((a, b) => a.name.localeCompare(b.name));
}

/** The registration spec part of a card. */
export function specOf(card: ModelCard): ModelVersionSpec {
  const { aliases: _aliases, card: _provenance, ...spec } = card;
  return spec;
}
