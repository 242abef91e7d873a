import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FeedbackStats, Metrics } from '../core/feedback';
import type { BulkFeedbackReport } from '../core/feedback-bulk';
import { DEFAULT_CUTOFF } from '../core/feedback-cutoff';
import { MIN_DRIFT_SAMPLE } from '../core/score-quality';
import type { Label } from '../core/similar';
import type { DecisionLog } from '../admin/decision-log';
import { cliActor } from './actor';
import { json, out, table } from './output';

type WithLog = <T>(fn: (log: DecisionLog) => Promise<T>, options?: { labelVectors?: boolean }) => Promise<T>;

interface FeedbackCliOptions {
  label?: Label;
  source?: string;
  note?: string;
  feedbackId?: string;
  file?: string;
  json: boolean;
}

const say = (text: string) => process.stderr.write(`${text}\n`);

/** The report for a person: each failed row on stderr (row, id, type, why), then the summary line. */
function printBulk(report: BulkFeedbackReport, summary: string): void {
  for (const r of report.rows) {
    if (r.status === 'failed') say(`row ${r.row} (${r.id ?? 'no id'}): ${r.type}: ${r.message}`);
  }
  const notes = report.rows.flatMap((r) =>
    r.status !== 'failed' && r.receipt.vectorNote ? [r.receipt.vectorNote] : [],
  );
  if (notes.length > 0) say(`${notes.length} case vectors were not labelled, e.g.: ${notes[0]}`);
  out(summary);
}

/** `decisions feedback --file`: every row in one process and one database pool; exit 1 when a row failed. */
async function runBulk(path: string, asJson: boolean, withLog: WithLog): Promise<void> {
  const [{ readFeedbackFile }, { bulkSummary }] = await Promise.all([
    import('../admin/feedback-file'),
    import('../core/feedback-bulk'),
  ]);
  const rows = await readFeedbackFile(path);
  const report = await withLog((log) => log.applyFeedback(rows, cliActor()), { labelVectors: true });
  if (asJson) json(report);
  else printBulk(report, bulkSummary(report));
  if (report.failed > 0) process.exitCode = 1;
}

/** `decisions feedback <id> --label`: one feedback, through Temporal. */
async function runOne(decisionId: string, label: Label, opts: FeedbackCliOptions): Promise<void> {
  const [{ loadEnv }, { withArbiter }] = await Promise.all([import('../config/env'), import('./stack/attach')]);
  const { source, note, feedbackId } = opts;
  const receipt = await withArbiter(loadEnv(), (c) =>
    c.submitFeedback(decisionId, label, { source, note, feedbackId, actor: cliActor() }),
  );
  if (opts.json) json(receipt);
  else if (receipt.changed) out(`${decisionId}: labelled ${receipt.label} (feedback ${receipt.feedbackId})`);
  else out(`${decisionId}: feedback ${receipt.feedbackId} was already recorded; label ${receipt.label}`);
  if (!opts.json && receipt.vectorNote) out(`  the case vector was not labelled: ${receipt.vectorNote}`);
}

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
const quality = (m: { auc: number | null; brier: number | null }) => [fmt(m.auc), fmt(m.brier)];

/** A duration like `7d`, `12h`, `30m` or `90s`, in milliseconds. */
function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([dhms])$/.exec(value.trim());
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[match?.[2] ?? ''];
  const ms = unit === undefined ? Number.NaN : Number(match?.[1]) * unit;
  if (!Number.isFinite(ms) || ms < 1000) throw new InvalidArgumentError('expected a duration like 7d, 12h, 30m or 90s');
  return Math.round(ms);
}

/** The stats as a table: the decision first, then each member model@version (demo and CLI). */
export function formatFeedbackStats(stats: FeedbackStats): string {
  const { decision } = stats;
  const t = table(['', 'arms', 'n', 'accuracy', 'precision', 'recall', 'tp fp tn fn', 'AUC', 'Brier', 'coverage']);
  t.push(['decision', '', ...cells(decision), ...quality(decision), fmt(decision.coverage)]);
  for (const m of stats.models) {
    t.push([`${m.model}@${m.version}`, m.arms.join(', '), ...cells(m), ...quality(m), fmt(m.coverage)]);
  }
  const lines = [
    `labelled decisions: ${stats.labelled} (fraud is positive; a member's score ≥ ${stats.cutoff} predicts fraud)`,
    t.toString(),
    `decision: ${decision.n} automated, ${decision.notAutomated} still in review (not counted right or wrong); ` +
      'its AUC and Brier are of the combined score over every labelled decision',
  ];
  const { drift } = stats;
  if (drift.models.length > 0) {
    const d = table(['score drift', 'before', 'recent', 'PSI']);
    for (const m of drift.models)
      d.push([`${m.model}@${m.version}`, String(m.referenceN), String(m.recentN), fmt(m.psi)]);
    lines.push(
      `\nscore drift: scores since ${drift.recentSince ?? '–'} against those before (PSI; < 0.1 stable, > 0.25 a shift; ` +
        `– below ${MIN_DRIFT_SAMPLE} scores a side)`,
      d.toString(),
    );
  }
  return lines.join('\n');
}

/** `arbiter decisions feedback|stats`: ground truth, and how decisions and models did against it. */
export function addFeedbackCommands(decisions: Command, withLog: WithLog): void {
  decisions
    .command('feedback [decisionId]')
    .description(
      'attach the true label to a decision (through Temporal; labels its case vector too), ' +
        'or to many at once with --file',
    )
    .addOption(new Option('--label <label>', 'the truth').choices(['fraud', 'legit']))
    .option('--source <source>', 'who or what says so (chargeback, analyst, ...)')
    .option('--note <text>', 'why, kept with the feedback')
    .option('--feedback-id <id>', 'idempotency key: sending it again changes nothing')
    .option(
      '--file <path>',
      'many feedbacks, straight to the database: .ndjson, one {"decisionId" or "caseId", "label", "source"?, ' +
        '"note"?, "feedbackId"?} a line, or .csv with those columns; the same file twice changes nothing',
    )
    .option('--json', 'print JSON', false)
    .action(async (decisionId: string | undefined, opts: FeedbackCliOptions, command: Command) => {
      if (opts.file !== undefined) {
        const given = [decisionId, opts.label, opts.source, opts.note, opts.feedbackId].some((v) => v !== undefined);
        if (given) command.error('error: with --file, each row gives its own decision, label, source, note and id');
        return runBulk(opts.file, opts.json, withLog);
      }
      if (decisionId === undefined || opts.label === undefined) {
        command.error('error: give a decision id and --label <fraud|legit>, or --file <path>');
      }
      return runOne(decisionId, opts.label, opts);
    });

  decisions
    .command('stats')
    .description("decision accuracy, AUC and Brier from feedback, beside each member model's, and score drift")
    .option('--pipeline <name>', 'only this pipeline')
    .option('--since <iso>', 'only decisions taken since (ISO 8601)', instant)
    .option('--cutoff <score>', "a member's score at or above it predicts fraud", cutoff, DEFAULT_CUTOFF)
    .option(
      '--drift-window <duration>',
      'drift compares scores in this last window (7d, 12h, ...) with those before',
      duration,
    )
    .option('--json', 'print JSON', false)
    .action(
      async (opts: { pipeline?: string; since?: string; cutoff: number; driftWindow?: number; json: boolean }) => {
        const { pipeline, since, cutoff, driftWindow: driftWindowMs } = opts;
        const stats = await withLog((log) => log.stats({ pipeline, since, cutoff, driftWindowMs }));
        if (opts.json) json(stats);
        else out(formatFeedbackStats(stats));
      },
    );
}
