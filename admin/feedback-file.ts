import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FeedbackInputRow } from '../core/feedback-bulk';

/** The columns a CSV header may name: the fields of a bulk feedback row (core/feedback-bulk.ts). */
export const FEEDBACK_COLUMNS = ['decisionId', 'caseId', 'label', 'source', 'note', 'feedbackId'] as const;

/** A feedback file that cannot be read as a whole (unknown format, bad CSV header). */
export class FeedbackFileError extends Error {
  constructor(
    readonly path: string,
    why: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${why}`, options);
    this.name = 'FeedbackFileError';
  }
}

export type FeedbackFormat = 'ndjson' | 'csv';

/** The format a file's extension names: `.ndjson`/`.jsonl` or `.csv`. */
export function formatOf(path: string): FeedbackFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return ext === '.csv' ? 'csv' : undefined;
}

/** Lines with their 1-based numbers, without a BOM, CR or blank lines. */
function linesOf(text: string): { line: number; text: string }[] {
  return text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t.replace(/\r$/, '') }))
    .filter((l) => l.text.trim() !== '');
}

/** One JSON object a line; a line that is not JSON is an unreadable row, not the end of the file. */
export function parseNdjson(text: string): FeedbackInputRow[] {
  return linesOf(text).map(({ line, text: t }) => {
    try {
      return { row: line, value: JSON.parse(t) as unknown };
    } catch (err) {
      return { row: line, value: null, unreadable: err instanceof Error ? err.message : String(err) };
    }
  });
}

/**
 * One line of CSV as RFC 4180 writes it: fields split on commas, a field in double quotes may hold
 * commas and `""` for a quote. Deliberately minimal (no library is in the lockfile): a quoted field
 * may not span lines. Returns why not when the line breaks these rules.
 */
export function splitCsvLine(line: string): string[] | { error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const end = line.indexOf('"', i);
        if (end === -1) return { error: 'a quoted field is not closed on its line (multi-line fields are not read)' };
        value += line.slice(i, end);
        if (line[end + 1] === '"') {
          value += '"';
          i = end + 2;
        } else {
          i = end + 1;
          break;
        }
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') return { error: `text after a closing quote at column ${i + 1}` };
    } else {
      const end = line.indexOf(',', i);
      const value = line.slice(i, end === -1 ? line.length : end);
      if (value.includes('"')) return { error: `a quote inside an unquoted field at column ${i + 1}` };
      fields.push(value);
      i = end === -1 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
    if (i === line.length) return [...fields, ''];
  }
}

/**
 * A header line naming columns among FEEDBACK_COLUMNS, then one row a line. An empty cell is an
 * absent field. @throws Error naming the first unknown or repeated column
 */
export function parseCsv(text: string): FeedbackInputRow[] {
  const [header, ...rows] = linesOf(text);
  if (!header) return [];
  const columns = splitCsvLine(header.text);
  if (!Array.isArray(columns)) throw new Error(`header: ${columns.error}`);
  const names = columns.map((c) => c.trim());
  for (const [i, name] of names.entries()) {
    if (!(FEEDBACK_COLUMNS as readonly string[]).includes(name)) {
      throw new Error(`header: unknown column '${name}' (the columns are ${FEEDBACK_COLUMNS.join(', ')})`);
    }
    if (names.indexOf(name) !== i) throw new Error(`header: column '${name}' appears twice`);
  }
  return rows.map(({ line, text: t }) => {
    const cells = splitCsvLine(t);
    if (!Array.isArray(cells)) return { row: line, value: null, unreadable: cells.error };
    if (cells.length !== names.length) {
      return { row: line, value: null, unreadable: `${cells.length} cells for ${names.length} columns` };
    }
    return { row: line, value: Object.fromEntries(names.flatMap((n, i) => (cells[i] ? [[n, cells[i]]] : []))) };
  });
}

/** A feedback file's rows, numbered by line. @throws FeedbackFileError for an unknown format or a bad header */
export async function readFeedbackFile(path: string): Promise<FeedbackInputRow[]> {
  const format = formatOf(path);
  if (!format) throw new FeedbackFileError(path, 'expected a .ndjson (or .jsonl) or a .csv file');
  const text = await readFile(path, 'utf8');
  if (format === 'ndjson') return parseNdjson(text);
  try {
    return parseCsv(text);
  } catch (err) {
    throw new FeedbackFileError(path, err instanceof Error ? err.message : String(err), { cause: err });
  }
}
