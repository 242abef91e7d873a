import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadDotEnv } from '../config/dotenv';
import type { DecideCliOptions } from './decide';
import { addBacktestCommands } from './backtest';
import { addBatchCommands } from './batch';
import { addBenchCommand } from './bench';
import { addModelCommands } from './models';
import { addPipelineCommands } from './pipelines';
import { addRuleCommands } from './rules';
import { addDecisionCommands } from './decisions';
import { addReviewCommands } from './review';
import { addIngestCommand } from './ingest';
import { addApiCommand } from './api';
import { addCodecServerCommand } from './codec-server';
import { addProcessCommands } from './processes';

/**
 * Whether an error's message is the whole story: the CLI's own errors, and every error the API maps
 * to a problem (`toProblem`: bad cases, unknown names, conflicts, unreachable services). Loaded only
 * on failure: commands load what they use, so `arbiter --help` stays fast.
 */
async function isExpected(err: unknown): Promise<boolean> {
  const [ports, temporalCli, api, init, seed, keys, codec, { toProblem }] = await Promise.all([
    import('./stack/ports'),
    import('../scripts/temporal-cli.js'),
    import('./api'),
    import('./init'),
    import('../admin/seed'),
    import('../config/api-keys'),
    import('./codec-server'),
    import('../api/error-problems'),
  ]);
  const expected = [
    ports.PortBusyError,
    temporalCli.TemporalCliMissingError,
    api.ApiKeysMissingError,
    keys.ApiKeysConfigError,
    init.InitConflictError,
    seed.SeedFileError,
    codec.CodecServerConfigError,
  ];
  return expected.some((E) => err instanceof E) || toProblem(err) !== undefined;
}

/** The settings, loaded when a command runs (the zod schema is not needed for `--help`). */
async function env() {
  const { loadEnv } = await import('../config/env');
  return loadEnv();
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('arbiter')
  .description('Durable, real-time decisions from several AI models, orchestrated by Temporal.')
  .version(version, '-V, --version', 'print the version of Arbiter')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Examples:
  $ arbiter demo --once                                   # the embedded stack, 50 held-out cases, a table
  $ arbiter decide --pipeline demo --input-file demo/cases/sample.json --json
  $ arbiter init my-decisions                             # a project of your own: models, pipeline, rules, .env
  $ arbiter decisions list --json                         # the audit log
  $ arbiter review list                                   # decisions waiting for a person
  $ ARBITER_API_KEYS=me:admin:<secret> arbiter api        # HTTP API on PORT (8080), OpenAPI at /openapi.json
  $ arbiter batch run --source file:cases.ndjson --wait   # many cases, batched inference, a progress bar

Without DATABASE_URL and TEMPORAL_ADDRESS everything runs on the embedded stack in ARBITER_DATA_DIR.`,
  );

program
  .command('dev')
  .description('run the embedded stack (Temporal dev server + UI, PGlite, orchestrator worker) until Ctrl-C')
  .action(async () => (await import('./dev')).runDev(await env()));

program
  .command('demo')
  .description('start the embedded stack, decide held-out demo cases, print a table, serve until Ctrl-C')
  .option('--once', 'exit after the table', false)
  .option('--count <n>', 'how many held-out cases to decide', positiveInt, 50)
  .option('--concurrency <n>', 'decisions in flight at once (1 shows unloaded latency)', positiveInt, 1)
  .action(async (opts: { once: boolean; count: number; concurrency: number }) =>
    (await import('./demo')).runDemo(await env(), opts),
  );

program
  .command('decide')
  .description('decide one case and print the decision (on the running stack, else the embedded one)')
  .option('--pipeline <name>', 'the pipeline to run', 'demo')
  .option('--model <ref>', 'run one model (name:alias or name@version) instead of a pipeline')
  .option('--rules <name>', 'a stored rule set deciding the outcome (e.g. demo) instead of the thresholds')
  .option('--input <json>', 'the case as JSON: {"caseId": "...", "input": {...}}')
  .option('--input-file <file>', 'a file holding the case as JSON')
  .option('--json', 'print the whole decision as JSON', false)
  .action(async (opts: DecideCliOptions) => (await import('./decide')).runDecide(await env(), opts));

program
  .command('init [dir]')
  .description("scaffold a project of one's own: models, a pipeline, a rule set, cases and a .env pointing at them")
  .action(async (dir: string | undefined) => {
    const { initProject, nextSteps } = await import('./init');
    await initProject(dir ?? '.');
    process.stdout.write(`${nextSteps(dir ?? '.')}\n`);
  });

addModelCommands(program);
addPipelineCommands(program);
addRuleCommands(program);
addDecisionCommands(program);
addReviewCommands(program);
addBatchCommands(program);
addBacktestCommands(program);
addBenchCommand(program);
addIngestCommand(program);
addApiCommand(program);
addCodecServerCommand(program);
addProcessCommands(program);

try {
  loadDotEnv(); // a project's settings (arbiter init writes them), under what the shell already set
  await program.parseAsync(process.argv);
} catch (err) {
  const expected = await isExpected(err);
  // Driver errors can quote a connection string; the terminal (and CI logs) get it hidden.
  const { redactedMessage } = await import('../core/redact');
  process.stderr.write(`arbiter: ${redactedMessage(err)}\n`);
  if (!expected && process.env.DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}
