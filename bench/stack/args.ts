import { parseArgs } from 'node:util';

/** Integer flags (`--name 12`), each with its default; anything else is an error naming the flag. */
export function intFlags<K extends string>(
  defaults: Record<K, number>,
  argv = process.argv.slice(2),
): Record<K, number> {
  const options = Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }]));
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as K[]) {
    const raw = (values as Record<string, string | undefined>)[key];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a number ≥ 0, got '${raw}'`);
    out[key] = n;
  }
  return out;
}

/** A string flag (`--name value`) taken out of argv; the rest goes on to `intFlags`. */
export function takeStringFlag(
  name: string,
  argv = process.argv.slice(2),
): { value: string | undefined; rest: string[] } {
  const at = argv.indexOf(`--${name}`);
  if (at < 0) return { value: undefined, rest: argv };
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return { value, rest: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}
