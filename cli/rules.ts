import type { Command } from 'commander';
import type { RuleSetsAdmin } from '../admin/rules';
import { printValidation, withAdminPool } from './admin-pool';
import { cliActor } from './actor';
import { json, out, table, print } from './output';

async function readFile(file: string): Promise<unknown> {
  const { readRuleSetFile } = await import('../admin/rules');
  return readRuleSetFile(file);
}

/** Runs `fn` with the rule sets on DATABASE_URL, or on the embedded stack's database. */
async function withClient<T>(fn: (client: RuleSetsAdmin) => Promise<T>): Promise<T> {
  const { RuleSetsAdmin } = await import('../admin/rules');
  return withAdminPool((pool) => fn(RuleSetsAdmin.fromPool(pool)));
}

/** `arbiter rules …`: business rule sets, versioned in PostgreSQL. */
export function addRuleCommands(program: Command): void {
  const rules = program.command('rules').description('business rule sets: validate, apply, list, show');

  rules
    .command('validate <file>')
    .description('check a YAML or JSON rule set: schema, facts and paths, operators, placeholders (no database)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, opts: { json: boolean }) => {
      const raw = await readFile(file);
      // A rule set refers to nothing stored, so it is checked without opening the database.
      const { validateRuleSet } = await import('../core/rules/check');
      const result = validateRuleSet(raw);
      printValidation(file, result, opts.json);
    });

  rules
    .command('apply <file>')
    .description('validate and store a rule set as the next version (an unchanged one keeps its version)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, opts: { json: boolean }) => {
      const raw = await readFile(file);
      const { ruleSet, created } = await withClient((c) => c.apply(raw, cliActor()));
      if (opts.json) json({ ...ruleSet, created });
      else out(`${ruleSet.name}@${ruleSet.version} ${created ? 'applied' : 'unchanged'}`);
    });

  rules
    .command('list')
    .description('the latest version of every rule set')
    .option('--json', 'print JSON', false)
    .action(async (opts: { json: boolean }) => {
      print(await withClient((c) => c.list()), opts.json, (list) => {
        const t = table(['rule set', 'version', 'rules', 'default', 'created']);
        for (const r of list)
          t.push([r.name, r.version, String(r.spec.rules.length), r.spec.default.outcome, r.createdAt]);
        out(t.toString());
      });
    });

  rules
    .command('show <name>')
    .description('every version of a rule set with its spec')
    .option('--json', 'print JSON', false)
    .action(async (name: string, opts: { json: boolean }) => {
      print(await withClient((c) => c.show(name)), opts.json, (versions) => {
        for (const v of versions) {
          out(`${v.name}@${v.version} (${v.createdAt}${v.actor ? `, by ${v.actor}` : ''})`);
          out(JSON.stringify(v.spec, null, 2));
        }
      });
    });
}
