import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FeatureSpecSchema } from '../core/case';

/** The `model.json` that sits beside every committed model file: identity, I/O contract, provenance. */
export const ModelCardSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  kind: z.literal('onnx'),
  framework: z.string(),
  task: z.string(),
  input: FeatureSpecSchema.extend({ name: z.string(), dtype: z.literal('float32') }),
  output: z.object({ name: z.string(), positive_class_index: z.number().int().nonnegative() }),
  data: z.object({ name: z.string(), citation: z.string() }).loose(),
  metrics_heldout: z.record(z.string(), z.number()),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

/** Reads and validates a model card; a malformed card is a packaging bug, reported with its path. */
export async function readModelCard(path: string): Promise<ModelCard> {
  const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
  const parsed = ModelCardSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid model card ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
