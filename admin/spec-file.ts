import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

/** Reads a pipeline spec or rule set from a YAML or JSON file (YAML is a superset of JSON). */
export async function readSpecFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new Error(`${path} is not valid YAML or JSON: ${(err as Error).message}`, { cause: err });
  }
}
