import type { Command } from 'commander';
import type { DecisionLog, StoredDecision } from '../admin/decision-log';
import { addFeedbackCommands } from './decisions-feedback';
import { json, out, table, print } from './output';

/**
 * Runs `fn` on the decision log; with `labelVectors`, the log labels case vectors too (bulk feedback),
 * in the vector store the environment names.
 */
async function withLog<T>(fn: (log: DecisionLog) => Promise<T>, { labelVectors = false } = {}): Promise<T> {
  const [{ loadEnv }, { withDatabase }, { DecisionLog }] = await Promise.all([
    import('../config/env'),
    import('./stack/attach'),
    import('../admin/decision-log'),
  ]);
  const env = loadEnv();
  return withDatabase(env, async (pool) => {
    if (!labelVectors) return fn(new DecisionLog(pool));
    const { vectorStoreFromEnv } = await import('../workers/vector-store');
    const vectors = vectorStoreFromEnv(env, pool);
    try {
      return await fn(new DecisionLog(pool, { vectors }));
    } finally {
      await vectors?.close();
    }
  });
}

/** `approved by rita at … → approve: "looks fine"`, `escalated at … → review`, `pending`. */
export function reviewLine(r: NonNullable<StoredDecision['review']>): string {
  const by = r.reviewer ? ` by ${r.reviewer}` : '';
  const at = r.at ? ` at ${r.at}` : '';
  const final = r.finalOutcome ? ` → ${r.finalOutcome}` : '';
  return `${r.state}${by}${at}${final}${r.note ? `: "${r.note}"` : ''}`;
}

/** `arbiter decisions …`: the decision log. */
export function addDecisionCommands(program: Command): void {
  const decisions = program.command('decisions').description('the decision log in PostgreSQL');

  decisions
    .command('list')
    .description('the newest decisions')
    .option('--limit <n>', 'how many', (v) => Number(v), 20)
    .option('--pipeline <name>', "only this pipeline's (adhoc: single-model decisions)")
    .option('--json', 'print JSON', false)
    .action(async (opts: { limit: number; pipeline?: string; json: boolean }) => {
      const { limit, pipeline } = opts;
      print(await withLog((log) => log.list({ limit, pipeline })), opts.json, (list) => {
        const t = table(['decision', 'outcome', 'score', 'pipeline', 'degraded', 'review', 'decided']);
        for (const d of list) {
          t.push([
            d.decisionId,
            d.outcome,
            d.score.toFixed(3),
            `${d.pipeline.name}@${d.pipeline.version}`,
            d.degraded ? 'yes' : '',
            d.review?.state ?? '',
            d.decidedAt,
          ]);
        }
        out(t.toString());
      });
    });

  decisions
    .command('show <decisionId>')
    .description('one decision with its reasons and every model call')
    .option('--json', 'print JSON', false)
    .action(async (decisionId: string, opts: { json: boolean }) => {
      const found = await withLog((log) => log.show(decisionId));
      if (!found) throw new Error(`no decision ${decisionId}`);
      const { decision, calls } = found;
      // The same row as `list --json`, with the calls.
      if (opts.json) {
        json({ ...decision, calls });
        return;
      }
      const { feedback } = decision;
      out(
        `${decision.decisionId}: ${decision.outcome} (score ${decision.score.toFixed(3)}, ${decision.pipeline.name}@${decision.pipeline.version})`,
      );
      const { rules, thresholds } = decision;
      if (rules)
        out(`  decided by rule set ${rules.name}@${rules.version}; matched: ${rules.matched.join(', ') || 'none'}`);
      else if (thresholds)
        out(`  decided by thresholds: decline ≥ ${thresholds.decline}, review ≥ ${thresholds.review}`);
      for (const r of decision.reasons) out(`  - ${r}`);
      const { review } = decision;
      if (review) out(`  review: ${reviewLine(review)}`);
      // The latest feedback is the decision's label.
      const latest = feedback.at(-1);
      if (latest) out(`  label: ${latest.label}${latest.source ? ` (${latest.source})` : ''}, ${latest.receivedAt}`);
      for (const f of feedback.length > 1 ? feedback : []) {
        out(
          `    feedback ${f.receivedAt}: ${f.label}${f.source ? ` (${f.source})` : ''}${f.actor ? ` by ${f.actor}` : ''}${f.note ? `: ${f.note}` : ''}`,
        );
      }
      const t = table(['step', 'model', 'arm', 'status', 'score', 'ms', 'late']);
      for (const c of calls) {
        const score = typeof c.output?.score === 'number' ? c.output.score.toFixed(3) : '';
        t.push([
          c.stepId,
          `${c.model}@${c.version}`,
          c.arm,
          c.status,
          score,
          c.latencyMs?.toFixed(1) ?? '',
          c.late ? 'yes' : '',
        ]);
      }
      out(t.toString());
    });

  addFeedbackCommands(decisions, withLog);
}
