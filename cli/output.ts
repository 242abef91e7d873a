import Table from 'cli-table3';

/** One line on stdout. */
export const out = (text: string): void => void process.stdout.write(`${text}\n`);

/** A value as indented JSON on stdout (`--json`). */
export const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

/** A table, coloured only for a person at a terminal; pipes and NO_COLOR get plain text. */
export function table(head: string[]): Table.Table {
  const plain = !process.stdout.isTTY || process.env.NO_COLOR !== undefined;
  return new Table({ head, style: plain ? { head: [], border: [] } : {} });
}

/** Prints `value` as JSON with `--json`, else as `render` writes it for a person. */
export function print<T>(value: T, asJson: boolean, render: (value: T) => void): void {
  if (asJson) json(value);
  else render(value);
}
