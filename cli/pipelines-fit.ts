import { InvalidArgumentError, type Command } from 'commander';
import type { FitResult } from '../admin/fit';
import { out } from './output';

function share(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a share between 0 and 1, e.g. 0.3');
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function printFit(f: FitResult): void {
  const weights = Object.entries(f.weights)
    .map(([k, w]) => `${k}=${w.toFixed(4)}`)
    .join(' ');
  out(
    `fitted ${f.step} (${f.method}) on ${f.train} labelled decisions; ${f.heldOut.length} held out (seed ${f.seed}), ${f.skipped} skipped`,
  );
  out(
    `  weights ${weights}${f.bias === null ? '' : `, bias ${f.bias.toFixed(4)}`}${f.lambda === null ? '' : `, L2 λ ${f.lambda} (5-fold CV)`}`,
  );
  if (f.model) out(`  meta-model ${f.model.name}@${f.model.version} (kind linear)`);
  out(
    `candidate ${f.candidate.name}@${f.candidate.version} written (not live: arbiter pipelines promote ${f.candidate.name}@${f.candidate.version} --backtest <id> --reason ...)`,
  );
  out('');
}

/** `arbiter pipelines fit`: learn a combine step from feedback, write a candidate, backtest it on held-out labels. */
export function addFitCommand(pipelines: Command): void {
  pipelines
    .command('fit <name>')
    .description('learn a combine step from labelled decisions: a candidate version, backtested on held-out labels')
    .requiredOption('--step <id>', 'the combine step to learn')
    .option('--method <method>', 'logistic (stacking meta-model) or weights (weighted mean)', 'logistic')
    .option('--holdout <share>', 'share of the labelled decisions held out for the backtest', share, 0.3)
    .option('--seed <n>', 'seeds the hold-out split, the folds and the bootstrap', wholeNumber, 1)
    .option('--json', 'print JSON', false)
    .action(
      async (name: string, opts: { step: string; method: string; holdout: number; seed: number; json: boolean }) => {
        if (opts.method !== 'logistic' && opts.method !== 'weights')
          throw new InvalidArgumentError(`--method is logistic or weights, not '${opts.method}'`);
        const method = opts.method;
        const [{ withDb }, { fitCombine }, { loadEnv }, { cliActor }, { runBacktest }] = await Promise.all([
          import('./backtest-db'),
          import('../admin/fit'),
          import('../config/env'),
          import('./actor'),
          import('./backtest'),
        ]);
        const env = loadEnv();
        const fit = await withDb((pool) =>
          fitCombine(pool, env.ARBITER_MODELS_DIR, {
            ...{ pipeline: name, step: opts.step, method, holdout: opts.holdout, seed: opts.seed },
            actor: cliActor(),
          }),
        );
        if (!opts.json) printFit(fit);
        await runBacktest(
          {
            candidate: fit.candidate,
            against: name,
            decisionIds: fit.heldOut,
            seed: opts.seed,
            actor: cliActor(),
          },
          opts.json ? { fit } : false,
        );
      },
    );
}
