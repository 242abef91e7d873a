import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Loads `<dir>/.env` (as `arbiter init` writes it) into `env`, under what is already set: a
 * variable given on the command line or exported in the shell wins. Relative `*_DIR` values resolve
 * against the file's folder, so a project's `.env` means the same from wherever it is read.
 * Returns the file read, or undefined when there is none.
 */
export function loadDotEnv(dir: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = resolve(dir, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (value === undefined || env[key] !== undefined) continue;
    env[key] = key.endsWith('_DIR') && value !== '' && !isAbsolute(value) ? resolve(dirname(file), value) : value;
  }
  return file;
}
