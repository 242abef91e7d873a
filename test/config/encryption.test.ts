import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptionKeysSchema, formatKeys, generateKey } from '../../codec/keys';
import { DEV_KEY_FILE, encryptionKeysOf } from '../../config/encryption';

let dir: string;
beforeEach(async () => void (dir = await mkdtemp(join(tmpdir(), 'arbiter-keys-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

const env = (extra: { keys?: string; address?: string } = {}) => ({
  ARBITER_DATA_DIR: dir,
  TEMPORAL_ADDRESS: extra.address,
  ARBITER_ENCRYPTION_KEYS: extra.keys === undefined ? undefined : EncryptionKeysSchema.parse(extra.keys),
});

describe('encryptionKeysOf', () => {
  it('creates a key file (0600) on the embedded stack once, and reuses it afterwards', async () => {
    expect(await encryptionKeysOf(env(), { create: false })).toBeUndefined();
    const first = await encryptionKeysOf(env(), { create: true });
    const path = join(dir, DEV_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(first?.current.id).toMatch(/^dev-[0-9a-f]{8}$/);
    const again = await encryptionKeysOf(env(), { create: true });
    const attached = await encryptionKeysOf(env(), { create: false });
    expect(again?.current.key.equals(first?.current.key ?? Buffer.alloc(0))).toBe(true);
    expect(attached?.current.id).toBe(first?.current.id);
    expect((await readFile(path, 'utf8')).trim()).toBe(formatKeys(first?.all ?? []));
  });

  it('prefers ARBITER_ENCRYPTION_KEYS, keeping the data dir key for decrypting what it wrote', async () => {
    const dev = await encryptionKeysOf(env(), { create: true });
    const mine = formatKeys([generateKey('mine')]);
    const keys = await encryptionKeysOf(env({ keys: mine }), { create: true });
    expect(keys?.all.map((k) => k.id)).toEqual(['mine', dev?.current.id]);
  });

  it('creates no key file when ARBITER_ENCRYPTION_KEYS is set, nor for an external Temporal', async () => {
    const mine = formatKeys([generateKey('mine')]);
    expect((await encryptionKeysOf(env({ keys: mine }), { create: true }))?.all).toHaveLength(1);
    expect(await encryptionKeysOf(env({ address: 'temporal:7233' }), { create: true })).toBeUndefined();
    await expect(stat(join(dir, DEV_KEY_FILE))).rejects.toThrow(/ENOENT/);
  });
});
