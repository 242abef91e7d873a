import type { Command } from 'commander';
import type { PipelinesAdmin } from '../admin/pipelines';
import { printValidation, withAdminPool } from './admin-pool';
import { cliActor } from './actor';
import { addFitCommand } from './pipelines-fit';
import { json, out, table, print } from './output';

async function readFile(file: string): Promise<unknown> {
  const { readPipelineFile } = await import('../admin/pipelines');
  return readPipelineFile(file);
}

/** Runs `fn` with the pipelines on DATABASE_URL, or on the embedded stack's database. */
async function withClient<T>(fn: (client: PipelinesAdmin) => Promise<T>): Promise<T> {
  const { PipelinesAdmin } = await import('../admin/pipelines');
  return withAdminPool((pool) => fn(PipelinesAdmin.fromPool(pool)));
}

/** `arbiter pipelines …`: declarative pipelines, versioned in PostgreSQL. */
export function addPipelineCommands(program: Command): void {
  const pipelines = program.command('pipelines').description('declarative pipelines: validate, apply, list, show');

  pipelines
    .command('validate <file>')
    .description('check a YAML or JSON spec: schema, references, expressions, models (nothing is stored)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, opts: { json: boolean }) => {
      const raw = await readFile(file);
      const result = await withClient((c) => c.validate(raw));
      printValidation(file, result, opts.json);
    });

  pipelines
    .command('apply <file>')
    .description('validate and store a spec as the next version (an unchanged spec keeps its version)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, opts: { json: boolean }) => {
      const raw = await readFile(file);
      const { pipeline, created } = await withClient((c) => c.apply(raw, cliActor()));
      if (opts.json) json({ ...pipeline, created });
      else out(`${pipeline.name}@${pipeline.version} ${created ? 'applied' : 'unchanged'}`);
    });

  pipelines
    .command('list')
    .description('the latest version of every pipeline')
    .option('--json', 'print JSON', false)
    .action(async (opts: { json: boolean }) => {
      print(await withClient((c) => c.list()), opts.json, (list) => {
        const t = table(['pipeline', 'version', 'steps', 'budget ms', 'created']);
        for (const p of list)
          t.push([p.name, p.version, String(p.spec.steps.length), String(p.spec.deadlineMs ?? '—'), p.createdAt]);
        out(t.toString());
      });
    });

  pipelines
    .command('show <name>')
    .description('every version of a pipeline with its spec')
    .option('--json', 'print JSON', false)
    .action(async (name: string, opts: { json: boolean }) => {
      const [versions, promotions] = await withClient((c) => Promise.all([c.show(name), c.promotions(name)]));
      print(versions, opts.json, () => {
        for (const v of versions) {
          const candidate = v.candidate ? ', candidate: not live until promoted' : '';
          out(`${v.name}@${v.version} (${v.createdAt}${v.actor ? `, by ${v.actor}` : ''}${candidate})`);
          out(JSON.stringify(v.spec, null, 2));
        }
        if (promotions.length > 0) out('promotions:');
        for (const p of promotions)
          out(
            `  ${p.promotedAt} @${p.version} (${p.reason})${p.actor ? ` by ${p.actor}` : ''}` +
              (p.backtestId ? `, evidence: backtest ${p.backtestId}` : ''),
          );
      });
    });

  pipelines
    .command('promote <ref>')
    .description('make NAME@VERSION live (a candidate from fit, or any version), citing a backtest as evidence')
    .requiredOption('--reason <text>', 'why, recorded with the promotion')
    .option('--backtest <id>', 'a finished backtest cited as the evidence')
    .option('--json', 'print JSON', false)
    .action(async (ref: string, opts: { reason: string; backtest?: string; json: boolean }) => {
      const { storedRef } = await import('../admin/backtests');
      const { name, version } = storedRef(ref);
      if (!version) throw new Error(`promote needs NAME@VERSION, got '${ref}'`);
      const evidence = {
        reason: opts.reason,
        actor: cliActor(),
        ...(opts.backtest ? { backtestId: opts.backtest } : {}),
      };
      const promoted = await withClient((c) => c.promote(name, version, evidence));
      if (opts.json) json(promoted);
      else
        out(
          `${promoted.name}@${promoted.version} is live${promoted.from ? ` (candidate @${promoted.from} copied)` : ''}` +
            (promoted.backtestId ? `, evidence: backtest ${promoted.backtestId}` : ''),
        );
    });

  addFitCommand(pipelines);
}
