import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ArbiterClient } from '../client';
import type { BatchClient, BatchScheduleView } from '../client/batch';
import type { BatchWorkflowInput } from '../core/batch/input';
import type { BatchProgress } from '../core/batch/progress';
import { parseSource, printProgress, printSchedules, progressBar } from './batch-view';
import { json, out } from './output';

interface BatchOptions {
  source: string;
  pipeline: string;
  rules?: string;
  chunkSize?: number;
  json: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

async function withBatches<T>(fn: (batches: BatchClient) => Promise<T>): Promise<T> {
  const [{ loadEnv }, { withArbiter }, { BatchClient }] = await Promise.all([
    import('../config/env'),
    import('./stack/attach'),
    import('../client/batch'),
  ]);
  return withArbiter(loadEnv(), (client: ArbiterClient) => fn(new BatchClient(client.temporal, client.taskQueue)));
}

function batchInput(opts: BatchOptions): Omit<BatchWorkflowInput, 'batchId'> {
  return {
    source: parseSource(opts.source, (p) => resolve(p)),
    pipeline: opts.pipeline,
    ...(opts.rules ? { rules: opts.rules } : {}),
    ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
  };
}

/** Follows a batch to its end: a progress bar at a terminal, then the summary (or JSON). */
async function follow(wait: (onProgress: (p: BatchProgress) => void) => Promise<BatchProgress>, asJson: boolean) {
  const bar = asJson ? undefined : progressBar();
  let done: BatchProgress;
  try {
    done = await wait((p) => bar?.update(p));
  } finally {
    bar?.stop();
  }
  if (asJson) json(done);
  else printProgress(done);
  if (done.state === 'failed') process.exitCode = 1;
}

function printSchedule(v: BatchScheduleView, asJson: boolean, verb: string): void {
  if (asJson) json(v);
  else out(`schedule ${v.name} ${verb}: ${v.spec}${v.paused ? ` (paused${v.note ? `: ${v.note}` : ''})` : ''}`);
}

const sourceHelp = 'file:PATH (NDJSON, one {"caseId","input"} per line) or table (pending_cases)';

/** `arbiter batch …`: batch decisions now or on a Temporal Schedule. */
export function addBatchCommands(program: Command): void {
  const batch = program
    .command('batch')
    .description('batch decisions: from a file or pending_cases, now or on a schedule');

  batch
    .command('run')
    .description('start a batch now')
    .requiredOption('--source <source>', sourceHelp)
    .option('--pipeline <name>', 'the pipeline (pinned at start)', 'demo')
    .option('--rules <name>', 'a stored rule set deciding the outcomes instead of the thresholds')
    .option('--chunk-size <n>', 'cases per chunk (one model call per step per chunk)', positiveInt)
    .option('--batch-id <id>', 'the batch id (re-running one records nothing twice)')
    .option('--wait', 'follow the batch with a progress bar until it ends', false)
    .option('--json', 'print JSON', false)
    .action(async (opts: BatchOptions & { batchId?: string; wait: boolean }) => {
      await withBatches(async (batches) => {
        const started = await batches.start({
          ...batchInput(opts),
          ...(opts.batchId ? { batchId: opts.batchId } : {}),
        });
        if (opts.wait) return follow((on) => batches.wait(started.batchId, on), opts.json);
        if (opts.json) json(started);
        else out(`started batch ${started.batchId} (follow it: arbiter batch status ${started.batchId} --wait)`);
      });
    });

  batch
    .command('schedule <name>')
    .description('create a Temporal Schedule that starts a batch by cron or interval')
    .option('--cron <expr>', 'a cron expression, e.g. "0 * * * *" (UTC)')
    .option('--every <duration>', 'an interval: 90s, 30m, 1h, 1d')
    .requiredOption('--source <source>', sourceHelp)
    .option('--pipeline <name>', 'the pipeline (pinned when each batch starts)', 'demo')
    .option('--rules <name>', 'a stored rule set deciding the outcomes instead of the thresholds')
    .option('--chunk-size <n>', 'cases per chunk', positiveInt)
    .option('--json', 'print JSON', false)
    .action(async (name: string, opts: BatchOptions & { cron?: string; every?: string }) => {
      if ((opts.cron === undefined) === (opts.every === undefined))
        throw new Error('give exactly one of --cron or --every');
      const spec = opts.cron !== undefined ? { cron: opts.cron } : { every: opts.every ?? '' };
      const view = await withBatches((b) => b.schedules.create(name, spec, batchInput(opts)));
      printSchedule(view, opts.json, 'created');
    });

  batch
    .command('list')
    .description('batch schedules')
    .option('--json', 'print JSON', false)
    .action(async (opts: { json: boolean }) => {
      const views = await withBatches((b) => b.schedules.list());
      if (opts.json) json(views);
      else printSchedules(views);
    });

  for (const verb of ['pause', 'unpause'] as const) {
    batch
      .command(`${verb} <name>`)
      .description(`${verb} a batch schedule`)
      .option('--note <text>', 'why (shown with the schedule)')
      .option('--json', 'print JSON', false)
      .action(async (name: string, opts: { note?: string; json: boolean }) => {
        const view = await withBatches((b) => b.schedules[verb](name, opts.note));
        printSchedule(view, opts.json, `${verb}d`);
      });
  }

  batch
    .command('trigger <name>')
    .description("start a schedule's batch now")
    .option('--wait', 'follow the batch it starts until it ends', false)
    .option('--json', 'print JSON', false)
    .action(async (name: string, opts: { wait: boolean; json: boolean }) => {
      await withBatches(async (batches) => {
        const before = (await batches.schedules.describe(name)).actionsTaken;
        await batches.schedules.trigger(name);
        if (!opts.wait) {
          if (opts.json) json({ triggered: name });
          else out(`triggered ${name} (follow it: arbiter batch status ${name} --wait)`);
          return;
        }
        const run = await batches.schedules.nextRun(name, before);
        await follow((on) => batches.waitFor(run.workflowId, run.batchId, on), opts.json);
      });
    });

  batch
    .command('delete <name>')
    .description('delete a batch schedule (batches it started are kept)')
    .option('--json', 'print JSON', false)
    .action(async (name: string, opts: { json: boolean }) => {
      await withBatches((b) => b.schedules.delete(name));
      if (opts.json) json({ deleted: name });
      else out(`schedule ${name} deleted`);
    });

  batch
    .command('status <batchIdOrSchedule>')
    .description("a batch's progress, or the latest batch of a schedule")
    .option('--wait', 'follow it with a progress bar until it ends', false)
    .option('--json', 'print JSON', false)
    .action(async (id: string, opts: { wait: boolean; json: boolean }) => {
      await withBatches(async (batches) => {
        const at = await batches.locate(id);
        const now = await batches.progressOf(at.workflowId, at.batchId);
        if (opts.wait && now.state === 'running')
          return follow((on) => batches.waitFor(at.workflowId, at.batchId, on), opts.json);
        if (opts.json) json(now);
        else printProgress(now);
      });
    });
}
