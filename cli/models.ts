import type { Command } from 'commander';
import type { ModelsAdmin } from '../admin/models';
import type { ModelCard } from '../models/cards';
import { cliActor } from './actor';
import { json, out, table, print } from './output';

/** Runs `fn` with a registry client on DATABASE_URL, or on the embedded stack's database. */
async function withClient<T>(fn: (client: ModelsAdmin) => Promise<T>): Promise<T> {
  const [{ ModelsAdmin }, { databaseUrlOf, loadEnv }] = await Promise.all([
    import('../admin/models'),
    import('../config/env'),
  ]);
  const env = loadEnv();
  const client = await ModelsAdmin.connect(databaseUrlOf(env), env.ARBITER_MODELS_DIR);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** A model card or spec, every problem (unknown keys too) named with its path. */
async function readSpec(file: string): Promise<ModelCard> {
  const { readModelCard } = await import('../models/cards');
  return readModelCard(file);
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `arbiter models …`: the model registry. */
export function addModelCommands(program: Command): void {
  const models = program.command('models').description('the model registry: versions, aliases, deprecation');

  models
    .command('register')
    .description(
      'probe a model and register it as the next version of its name (a spec identical to the latest version keeps it)',
    )
    .requiredOption(
      '--file <spec.json>',
      'a model card or spec: name, kind, uri, config, inputSchema, outputSchema, ...',
    )
    .option(
      '--alias <alias>',
      "point this alias at the new version (repeatable; default: the card's aliases)",
      collect,
      [],
    )
    .option('--reason <text>', 'why, for the alias history', 'registered')
    .option('--json', 'print JSON', false)
    .action(async (opts: { file: string; alias: string[]; reason: string; json: boolean }) => {
      const card = await readSpec(opts.file);
      const { specOf } = await import('../models/cards');
      const aliases = opts.alias.length > 0 ? opts.alias : card.aliases;
      const { registered, now } = await withClient(async (c) => {
        const registered = await c.register(specOf(card), { aliases, reason: opts.reason, actor: cliActor() });
        // Unchanged: say where the asked-for aliases that were not set point (promote moves them).
        const now = registered.created ? {} : (await c.show(card.name)).aliases;
        return { registered, now };
      });
      const { version, created, aliasesSet } = registered;
      const id = `${version.name}@${version.version}`;
      if (opts.json) json({ ...version, created, aliasesSet });
      else if (created) out(`registered ${id} (${version.kind})${aliases.length ? ` as ${aliases.join(', ')}` : ''}`);
      else {
        const notes = aliasesSet.map((a) => `${a} set`);
        for (const a of aliases.filter((x) => !aliasesSet.includes(x)))
          notes.push(
            now[a] === version.version
              ? `${a} already`
              : `${a} stays at @${now[a]} (models promote ${id} --alias ${a} moves it)`,
          );
        out(`${id} unchanged${notes.length ? `; ${notes.join('; ')}` : ''}`);
      }
    });

  models
    .command('list')
    .description('every model with its kind, latest version and aliases')
    .option('--json', 'print JSON', false)
    .action(async (opts: { json: boolean }) => {
      print(await withClient((c) => c.list()), opts.json, (list) => {
        const t = table(['model', 'kind', 'latest', 'aliases']);
        for (const m of list) {
          const aliases = Object.entries(m.aliases).map(([a, v]) => `${a}→${v}`);
          t.push([m.name, m.kind ?? '', m.latestVersion ?? '', aliases.join(' ')]);
        }
        out(t.toString());
      });
    });

  models
    .command('show <name>')
    .description('versions, aliases and alias history of one model')
    .option('--json', 'print JSON', false)
    .action(async (name: string, opts: { json: boolean }) => {
      print(await withClient((c) => c.show(name)), opts.json, (details) => {
        const t = table(['version', 'kind', 'uri', 'metrics', 'created', 'by', 'deprecated']);
        for (const v of details.versions) {
          const metrics = Object.entries(v.metrics).map(([k, n]) => `${k}=${n}`);
          t.push([
            v.version,
            v.kind,
            v.uri,
            metrics.join(' '),
            v.createdAt,
            v.actor ?? '',
            v.deprecationReason ?? (v.deprecatedAt ? 'yes' : ''),
          ]);
        }
        out(t.toString());
        out(
          `aliases: ${
            Object.entries(details.aliases)
              .map(([a, v]) => `${a}→${v}`)
              .join(', ') || 'none'
          }`,
        );
        for (const e of details.aliasHistory)
          out(
            `  ${e.movedAt} ${e.alias}: ${e.from ?? '∅'} → ${e.to} (${e.reason})${e.actor ? ` by ${e.actor}` : ''}` +
              (e.backtestId ? `, evidence: backtest ${e.backtestId}` : ''),
          );
      });
    });

  models
    .command('promote <ref>')
    .description('point an alias at a version: arbiter models promote fraud@3 --alias champion --reason "..."')
    .requiredOption('--alias <alias>', 'the alias to move (champion, challenger, shadow, any name)')
    .requiredOption('--reason <text>', 'why, recorded in the alias history')
    .option('--backtest <id>', 'a finished backtest cited as the evidence, recorded with the move')
    .option('--json', 'print JSON', false)
    .action(async (ref: string, opts: { alias: string; reason: string; backtest?: string; json: boolean }) => {
      const event = await withClient((c) => c.promote(ref, opts.alias, opts.reason, cliActor(), opts.backtest));
      if (opts.json) json(event);
      else
        out(
          `${opts.alias}: ${event.from ?? '∅'} → ${event.to}${event.backtestId ? ` (evidence: backtest ${event.backtestId})` : ''}`,
        );
    });

  models
    .command('deprecate <ref>')
    .description('deprecate name@version (refused while an alias points at it)')
    .requiredOption('--reason <text>', 'why')
    .option('--json', 'print JSON', false)
    .action(async (ref: string, opts: { reason: string; json: boolean }) => {
      const version = await withClient((c) => c.deprecate(ref, opts.reason));
      if (opts.json) json(version);
      else out(`deprecated ${version.name}@${version.version}: ${opts.reason}`);
    });
}
