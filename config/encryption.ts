import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EncryptionKeysSchema, formatKeys, generateKey, withDecryptOnly, type EncryptionKeys } from '../codec/keys';
import type { ArbiterEnv } from './env';

/** The embedded stack's key file in ARBITER_DATA_DIR (ARBITER_ENCRYPTION_KEYS's format, mode 0600). */
export const DEV_KEY_FILE = 'encryption-keys';

/** The key file of a data dir, or undefined when there is none yet. @throws Error naming the file when it is malformed */
async function readKeyFile(path: string): Promise<EncryptionKeys | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = EncryptionKeysSchema.safeParse(text.trim());
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

/** Creates the key file, unless another process just did (`wx`): then that one's key is used. */
async function createKeyFile(path: string): Promise<EncryptionKeys | undefined> {
  const key = generateKey(`dev-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(path, `${formatKeys([key])}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readKeyFile(path);
}

/**
 * The keys a process uses. ARBITER_ENCRYPTION_KEYS when set. On the embedded stack (no
 * TEMPORAL_ADDRESS) also the data dir's key file, for decrypting what was written under it: with
 * `create` (the process that starts the stack) it is created when neither exists, so the embedded
 * stack is encrypted by default; attached commands only read it. Undefined: no encryption.
 */
export async function encryptionKeysOf(
  env: Pick<ArbiterEnv, 'ARBITER_ENCRYPTION_KEYS' | 'ARBITER_DATA_DIR' | 'TEMPORAL_ADDRESS'>,
  { create }: { create: boolean },
): Promise<EncryptionKeys | undefined> {
  const fromEnv = env.ARBITER_ENCRYPTION_KEYS;
  if (env.TEMPORAL_ADDRESS) return fromEnv;
  const path = join(resolve(env.ARBITER_DATA_DIR), DEV_KEY_FILE);
  const fromFile = (await readKeyFile(path)) ?? (create && !fromEnv ? await createKeyFile(path) : undefined);
  if (fromEnv && fromFile) return withDecryptOnly(fromEnv, fromFile.all);
  return fromEnv ?? fromFile;
}
