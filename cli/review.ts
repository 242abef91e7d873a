import type { Command } from 'commander';
import type { ArbiterClient } from '../client';
import type { ReviewSummary } from '../core/decision-search';
import { json, out, table, print } from './output';

/** Runs `fn` with a client of the running Arbiter (or of the embedded stack, started for it). */
export async function withClient<T>(fn: (client: ArbiterClient) => Promise<T>): Promise<T> {
  const [{ loadEnv }, { withArbiter }] = await Promise.all([import('../config/env'), import('./stack/attach')]);
  return withArbiter(loadEnv(), fn);
}

/** The review queue as `GET /v1/reviews` answers it: pending rows from the log, each clock from its workflow. */
async function pendingSummaries(opts: { pipeline?: string; limit: number }): Promise<ReviewSummary[]> {
  const [{ loadEnv }, { withDatabase }, { DecisionLog }, { ReviewQueueQuerySchema, reviewSummary }] = await Promise.all(
    [
      import('../config/env'),
      import('./stack/attach'),
      import('../admin/decision-log'),
      import('../core/decision-search'),
    ],
  );
  const query = ReviewQueueQuerySchema.parse({ pipeline: opts.pipeline, limit: opts.limit });
  return withClient((client) =>
    withDatabase(loadEnv(), async (pool) => {
      const pending = await new DecisionLog(pool).pendingReviews(query);
      const policies = await client.reviewPolicies(pending.map((d) => d.decisionId));
      const now = Date.now();
      return pending.map((d) => reviewSummary(d, policies.get(d.decisionId), now));
    }),
  );
}

/** `1h 05m`, `4m 10s`, `-2m 03s` (overdue). */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const s = Math.round(Math.abs(ms) / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return sign + (h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(sec)}s`);
}

/** `arbiter review …`: decisions waiting for a person. */
export function addReviewCommands(program: Command): void {
  const review = program.command('review').description('human review of decisions whose outcome is review');

  review
    .command('list')
    .description('decisions waiting for a reviewer, oldest first, with score, top reasons and time left')
    .option('--pipeline <name>', "only this pipeline's")
    .option('--limit <n>', 'how many', (v) => Number(v), 50)
    .option('--json', 'print JSON', false)
    .action(async (opts: { pipeline?: string; limit: number; json: boolean }) => {
      print(await pendingSummaries(opts), opts.json, (pending) => {
        const t = table(['decision', 'score', 'pipeline', 'waiting', 'time left', 'top reasons']);
        for (const p of pending) {
          const left = p.timeLeftMs === undefined ? '?' : `${duration(p.timeLeftMs)} → ${p.onTimeout ?? '?'}`;
          const reasons = p.topReasons.join('; ');
          t.push([
            p.decisionId,
            p.score.toFixed(3),
            `${p.pipeline.name}@${p.pipeline.version}`,
            duration(p.ageS * 1000),
            left,
            reasons,
          ]);
        }
        out(t.toString());
      });
    });

  for (const action of ['approve', 'decline'] as const) {
    review
      .command(`${action} <decisionId>`)
      .description(`${action} a decision waiting for review`)
      .requiredOption('--reviewer <name>', 'who decides')
      .option('--note <text>', 'why, kept with the decision')
      .option('--json', 'print JSON', false)
      .action(async (decisionId: string, opts: { reviewer: string; note?: string; json: boolean }) => {
        const outcome = await withClient((c) =>
          c.review(decisionId, { action, reviewer: opts.reviewer, note: opts.note }),
        );
        if (opts.json) json(outcome);
        else out(`${decisionId}: ${outcome.state} by ${outcome.reviewer ?? '?'} → ${outcome.finalOutcome ?? ''}`);
      });
  }
}
