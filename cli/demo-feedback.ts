import type { Pool } from 'pg';
import type { ArbiterClient } from '../client';
import type { Label } from '../core/similar';
import { DecisionLog } from '../admin/decision-log';
import { formatFeedbackStats } from './decisions-feedback';

/** A decided demo case and its true label. */
export interface Truth {
  decisionId: string;
  label: Label;
}

/**
 * Sends each case's true label as feedback (through Temporal, `concurrency` at a time), then prints
 * how the decisions taken since `since` did against it, beside each member model.
 * @param options.concurrency as many as the decisions had: the embedded PGlite's socket server can
 *   interleave concurrent connections' extended-protocol queries (electric-sql/pglite#1046). @default 1
 */
export async function reportAgainstTruth(
  client: ArbiterClient,
  pool: Pool,
  truths: Truth[],
  options: { since: string; pipeline?: string; concurrency?: number },
): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < truths.length; i = next++) {
      const { decisionId, label } = truths[i] as Truth;
      // The decision id as key: running this twice labels nothing twice.
      await client.submitFeedback(decisionId, label, { source: 'demo holdout', feedbackId: `truth-${decisionId}` });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, lane));
  const stats = await new DecisionLog(pool).stats({ since: options.since, pipeline: options.pipeline });
  process.stdout.write(`\nagainst the true labels (feedback):\n${formatFeedbackStats(stats)}\n`);
}
