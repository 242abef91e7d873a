import type { Command } from 'commander';
import type { ArbiterClient } from '../client';
import { json, out, table, print } from './output';

/** Runs `fn` with a client of the running Arbiter (or of the embedded stack, started for it). */
export async function withClient<T>(fn: (client: ArbiterClient) => Promise<T>): Promise<T> {
  const [{ loadEnv }, { withArbiter }] = await Promise.all([import('../config/env'), import('./stack/attach')]);
  return withArbiter(loadEnv(), fn);
}

/** `arbiter review …`: decisions waiting for a person. */
export function addReviewCommands(program: Command): void {
  const review = program.command('review').description('human review of decisions whose outcome is review');

  review
    .command('list')
    .description('decisions waiting for a reviewer')
    .option('--json', 'print JSON', false)
    .action(async (opts: { json: boolean }) => {
      print(await withClient((c) => c.pendingReviews()), opts.json, (pending) => {
        const t = table(['decision', 'since']);
        for (const p of pending) t.push([p.decisionId, p.startedAt]);
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
