import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AliasNameSchema } from '../core/model-ref';
import { ModelVersionSpecSchema, type ModelVersionSpec } from '../core/model-version';

/**
 * A model card (`<dir>/<model>/model.json`): the registration spec, the aliases a fresh registry
 * gives it, and provenance (data, split, export checks) kept as documentation.
 */
export const ModelCardSchema = ModelVersionSpecSchema.extend({
  aliases: z.array(AliasNameSchema).default([]),
  card: z.record(z.string(), z.unknown()).optional(),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

/** Reads one card; a malformed card is a packaging bug, reported with its path and every problem. */
export async function readModelCard(path: string): Promise<ModelCard> {
  const parsed = ModelCardSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`invalid model card ${path}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
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
