import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config/env';

/** A held-out case as the training script wrote it, with its true label. */
export const DemoCaseSchema = z.object({
  caseId: z.string(),
  input: z.record(z.string(), z.number()),
  label: z.union([z.literal(0), z.literal(1)]),
  /** scikit-learn's probability for this case, written by the training script. */
  sklearnScore: z.number(),
  /** Each scikit-learn demo model's own output for this case (model name → score). */
  reference: z.record(z.string(), z.number()),
});
export type DemoCase = z.infer<typeof DemoCaseSchema>;

export const HOLDOUT_PATH = join(PROJECT_ROOT, 'demo', 'data', 'phishing-holdout.json');

/** The held-out split of the demo data set (never seen in training). */
export async function loadHoldout(path = HOLDOUT_PATH): Promise<DemoCase[]> {
  return DemoCaseSchema.array().parse(JSON.parse(await readFile(path, 'utf8')));
}
