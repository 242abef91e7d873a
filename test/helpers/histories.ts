import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { History } from '@temporalio/common/lib/proto-utils';
import proto from '@temporalio/proto';

const { History: HistoryType } = proto.temporal.api.history.v1;

/** The replay corpus: one recorded workflow history per file, named after the path it took. */
export const HISTORIES_DIR = fileURLToPath(new URL('../replay/histories/', import.meta.url));

/**
 * Writes a history as protobufjs JSON (enums and 64-bit ids as strings, bytes as base64). Not the
 * SDK's `historyToJSON` (the UI's format): in this install `@temporalio/common` and
 * `@temporalio/proto` each carry their own protobufjs, and its protojson rejects the other copy's
 * types ("type must be a Type"). `loadHistories` reads exactly what this writes.
 */
export async function saveHistory(name: string, history: History, dir = HISTORIES_DIR): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  await writeFile(path, `${JSON.stringify(HistoryType.fromObject(history).toJSON(), null, 1)}\n`);
  return path;
}

export interface StoredHistory {
  /** The file's name without `.json`: the path the recorded workflow took. */
  name: string;
  workflowId: string;
  history: History;
}

/** Every history in `dir`, in file-name order. */
export async function loadHistories(dir = HISTORIES_DIR): Promise<StoredHistory[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const history = HistoryType.fromObject(JSON.parse(await readFile(join(dir, file), 'utf8')) as object);
      return { name: basename(file, '.json'), workflowId: basename(file, '.json'), history };
    }),
  );
}
