import type { Command } from 'commander';
import type { DecisionLog } from '../admin/decision-log';
import { addFeedbackCommands } from './decisions-feedback';
import { json, out, table, print } from './output';

async function withLog<T>(fn: (log: DecisionLog) => Promise<T>): Promise<T> {
  const [{ DecisionLog }, { loadEnv }, { withDatabase }] = await Promise.all([
    import('../admin/decision-log'),
    import('../config/env'),
    import('./stack/attach'),
  ]);
  return withDatabase(loadEnv(), (pool) => fn(new DecisionLog(pool)));
}

/** `arbiter decisions …`: the decision log. */
export function addDecisionCommands(program: Command): void {
  const decisions = program.command('decisions').description('the decision log in PostgreSQL');

  decisions
    .command('list')
    .description('the newest decisions')
    .option('--limit <n>', 'how many', (v) => Number(v), 20)
    .option('--json', 'print JSON', false)
    .action(async (opts: { limit: number; json: boolean }) => {
      print(await withLog((log) => log.list(opts.limit)), opts.json, (list) => {
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
      const { decision, calls, feedback } = found;
      if (opts.json) {
        json({ ...decision, calls, feedback });
        return;
      }
      out(
        `${decision.decisionId}: ${decision.outcome} (score ${decision.score.toFixed(3)}, ${decision.pipeline.name}@${decision.pipeline.version})`,
      );
      for (const r of decision.reasons) out(`  - ${r}`);
      // The latest feedback is the decision's label.
      const latest = feedback.at(-1);
      if (latest) out(`  label: ${latest.label}${latest.source ? ` (${latest.source})` : ''}, ${latest.receivedAt}`);
      for (const f of feedback.length > 1 ? feedback : []) {
        out(
          `    feedback ${f.receivedAt}: ${f.label}${f.source ? ` (${f.source})` : ''}${f.note ? `: ${f.note}` : ''}`,
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
