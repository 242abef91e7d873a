import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { BacktestRequest } from '../core/lab/backtest';
import { printBacktest } from './backtest-view';
import { json, out } from './output';

interface BacktestOptions {
  pipeline: string;
  rules?: string;
  against?: string;
  since?: string;
  until?: string;
  seed: number;
  changed: number;
  id?: string;
  json: boolean;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function isoTime(value: string): string {
  const t = new Date(value);
  if (Number.isNaN(t.getTime()))
    throw new InvalidArgumentError('expected a time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z');
  return t.toISOString();
}

/** A file path (one that looks like it, or an existing file: `demo` the folder is a name) rather than a stored name. */
const isFile = (ref: string): boolean =>
  /[/\\]|\.(ya?ml|json)$/i.test(ref) || statSync(ref, { throwIfNoEntry: false })?.isFile() === true;

/**
 * Starts a backtest, follows its progress on stderr, then prints its stored report (or JSON; an
 * object given as `asJson` is printed beside it, as `pipelines fit` prints its fit).
 * Exported for `pipelines fit`, which backtests its candidate the same way.
 */
export async function runBacktest(request: BacktestRequest, asJson: boolean | Record<string, unknown>): Promise<void> {
  const [{ loadEnv }, { withArbiter, withDatabase }, { BacktestClient }, { BacktestsAdmin }] = await Promise.all([
    import('../config/env'),
    import('./stack/attach'),
    import('../client/backtests'),
    import('../admin/backtests'),
  ]);
  const env = loadEnv();
  // Read while the stack runs: with no `arbiter dev` running, withArbiter starts one for this command only.
  const { progress, stored } = await withArbiter(env, async (client) => {
    const backtests = new BacktestClient(client.temporal, client.taskQueue);
    const { backtestId } = await backtests.start(request);
    process.stderr.write(`backtest ${backtestId} started\n`);
    const done = await backtests.wait(backtestId, (p) => {
      if (!asJson && process.stderr.isTTY) process.stderr.write(`\rreplayed ${p.replayed}/${p.total ?? '?'}   `);
    });
    return { progress: done, stored: await withDatabase(env, (pool) => BacktestsAdmin.fromPool(pool).get(backtestId)) };
  });
  if (!asJson && process.stderr.isTTY) process.stderr.write('\n');
  if (!stored)
    throw new Error(`backtest ${progress.backtestId} left no record: ${progress.lastError ?? 'unknown error'}`);
  if (asJson) json(typeof asJson === 'object' ? { ...asJson, backtest: stored } : stored);
  else printBacktest(stored);
  if (stored.status !== 'done') process.exitCode = 1;
}

async function requestOf(opts: BacktestOptions): Promise<BacktestRequest> {
  const [{ withDb }, { BacktestsAdmin, storedRef }, { cliActor }] = await Promise.all([
    import('./backtest-db'),
    import('../admin/backtests'),
    import('./actor'),
  ]);
  const files = isFile(opts.pipeline) || (opts.rules !== undefined && isFile(opts.rules));
  const fromFiles: Partial<Pick<BacktestRequest, 'candidate' | 'rules'>> = files
    ? await withDb(async (pool) => {
        const admin = BacktestsAdmin.fromPool(pool);
        return {
          candidate: isFile(opts.pipeline) ? await admin.candidateFromFile(resolve(opts.pipeline)) : undefined,
          rules: opts.rules && isFile(opts.rules) ? await admin.rulesFromFile(resolve(opts.rules)) : undefined,
        };
      })
    : {};
  return {
    candidate: fromFiles.candidate ?? storedRef(opts.pipeline),
    ...(opts.rules ? { rules: fromFiles.rules ?? storedRef(opts.rules) } : {}),
    ...(opts.against ? { against: opts.against } : {}),
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
    ...(opts.id ? { backtestId: opts.id } : {}),
    seed: opts.seed,
    changedLimit: opts.changed,
    actor: cliActor(),
  };
}

/** `arbiter backtest`: replay a candidate over past decisions; `arbiter backtests show`: a stored one. */
export function addBacktestCommands(program: Command): void {
  program
    .command('backtest')
    .description('replay a candidate pipeline over past decisions (nothing is written to the decision log) and compare')
    .requiredOption('--pipeline <ref>', 'the candidate: NAME (latest live version), NAME@VERSION or a spec FILE')
    .option(
      '--rules <ref>',
      "rule set: NAME, NAME@VERSION or FILE (default: the one the decisions used, else each decision's thresholds)",
    )
    .option('--against <pipeline>', "whose past decisions to replay (default: the candidate's name)")
    .option('--since <time>', 'decisions decided at or after it', isoTime)
    .option('--until <time>', 'decisions decided before it', isoTime)
    .option('--seed <n>', 'seed of the bootstrap intervals', wholeNumber, 1)
    .option('--changed <n>', 'changed cases listed in the report', wholeNumber, 50)
    .option('--id <id>', 'the backtest id (default: made from the time)')
    .option('--json', 'print JSON', false)
    .action(async (opts: BacktestOptions) => {
      await runBacktest(await requestOf(opts), opts.json);
    });

  program
    .command('backtests')
    .description('stored backtests')
    .command('show <id>')
    .description('a backtest: where it stands and, once done, its report')
    .option('--json', 'print JSON', false)
    .action(async (id: string, opts: { json: boolean }) => {
      const [{ withDb }, { BacktestsAdmin }] = await Promise.all([
        import('./backtest-db'),
        import('../admin/backtests'),
      ]);
      const stored = await withDb((pool) => BacktestsAdmin.fromPool(pool).get(id));
      if (!stored) {
        out(`no backtest ${id}`);
        process.exitCode = 1;
      } else if (opts.json) json(stored);
      else printBacktest(stored);
    });
}
