import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FeedbackStats, Metrics } from '../core/feedback';
import { DEFAULT_CUTOFF } from '../core/feedback-cutoff';
import type { Label } from '../core/similar';
import type { DecisionLog } from '../admin/decision-log';
import { json, out, table } from './output';

type WithLog = <T>(fn: (log: DecisionLog) => Promise<T>) => Promise<T>;

function cutoff(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected 0…1');
  return n;
}

function instant(value: string): string {
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new InvalidArgumentError('expected an ISO 8601 date or time');
  return t.toISOString();
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));
const cells = (m: Metrics) => [
  String(m.n),
  fmt(m.accuracy),
  fmt(m.precision),
  fmt(m.recall),
  `${m.confusion.tp} ${m.confusion.fp} ${m.confusion.tn} ${m.confusion.fn}`,
];

/** The stats as a table: the decision first, then each member model@version (demo and CLI). */
export function formatFeedbackStats(stats: FeedbackStats): string {
  const { decision } = stats;
  const t = table(['', 'arms', 'n', 'accuracy', 'precision', 'recall', 'tp fp tn fn', 'coverage']);
  t.push(['decision', '', ...cells(decision), fmt(decision.coverage)]);
  for (const m of stats.models) t.push([`${m.model}@${m.version}`, m.arms.join(', '), ...cells(m), fmt(m.coverage)]);
  return [
    `labelled decisions: ${stats.labelled} (fraud is positive; a member's score ≥ ${stats.cutoff} predicts fraud)`,
    t.toString(),
    `decision: ${decision.n} automated, ${decision.notAutomated} still in review (not counted right or wrong)`,
  ].join('\n');
}

/** `arbiter decisions feedback|stats`: ground truth, and how decisions and models did against it. */
export function addFeedbackCommands(decisions: Command, withLog: WithLog): void {
  decisions
    .command('feedback <decisionId>')
    .description('attach the true label to a decision (through Temporal; labels its case vector too)')
    .addOption(new Option('--label <label>', 'the truth').choices(['fraud', 'legit']).makeOptionMandatory())
    .option('--source <source>', 'who or what says so (chargeback, analyst, ...)')
    .option('--note <text>', 'why, kept with the feedback')
    .option('--feedback-id <id>', 'idempotency key: sending it again changes nothing')
    .option('--json', 'print JSON', false)
    .action(
      async (
        decisionId: string,
        opts: { label: Label; source?: string; note?: string; feedbackId?: string; json: boolean },
      ) => {
        const { label, source, note, feedbackId } = opts;
        const [{ loadEnv }, { withArbiter }] = await Promise.all([import('../config/env'), import('./stack/attach')]);
        const receipt = await withArbiter(loadEnv(), (c) =>
          c.submitFeedback(decisionId, label, { source, note, feedbackId }),
        );
        if (opts.json) json(receipt);
        else if (receipt.changed) out(`${decisionId}: labelled ${receipt.label} (feedback ${receipt.feedbackId})`);
        else out(`${decisionId}: feedback ${receipt.feedbackId} was already recorded; label ${receipt.label}`);
        if (!opts.json && receipt.vectorNote) out(`  the case vector was not labelled: ${receipt.vectorNote}`);
      },
    );

  decisions
    .command('stats')
    .description("decision accuracy from feedback, beside each member model's")
    .option('--pipeline <name>', 'only this pipeline')
    .option('--since <iso>', 'only decisions taken since (ISO 8601)', instant)
    .option('--cutoff <score>', "a member's score at or above it predicts fraud", cutoff, DEFAULT_CUTOFF)
    .option('--json', 'print JSON', false)
    .action(async (opts: { pipeline?: string; since?: string; cutoff: number; json: boolean }) => {
      const { pipeline, since, cutoff } = opts;
      const stats = await withLog((log) => log.stats({ pipeline, since, cutoff }));
      if (opts.json) json(stats);
      else out(formatFeedbackStats(stats));
    });
}
