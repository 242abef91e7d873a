import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** AES-256: a key is 32 bytes. */
export const KEY_BYTES = 32;
/** What a key id may be: it travels in every encrypted payload's metadata, in plain text. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard base64 with its padding (a 32-byte key is 44 characters). */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** One AES-256 key and the id written beside every payload it encrypts. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The keys in use: `current` (the first) encrypts, every one decrypts. */
export interface EncryptionKeys {
  readonly current: EncryptionKey;
  readonly all: readonly EncryptionKey[];
}

/** A keyring from keys in order of preference. @throws Error when there is none */
export function keyring(keys: readonly EncryptionKey[]): EncryptionKeys {
  const [current] = keys;
  if (!current) throw new Error('an encryption keyring needs at least one key');
  return { current, all: keys };
}

/** Adds `more` (for decrypting only) after `keys`, skipping ids already there. */
export function withDecryptOnly(keys: EncryptionKeys, more: readonly EncryptionKey[]): EncryptionKeys {
  const known = new Set(keys.all.map((k) => k.id));
  return keyring([...keys.all, ...more.filter((k) => !known.has(k.id))]);
}

/** A fresh random key. */
export function generateKey(id: string): EncryptionKey {
  return { id, key: randomBytes(KEY_BYTES) };
}

/** `id:base64,id2:base64`: ARBITER_ENCRYPTION_KEYS's format (and the dev key file's). */
export function formatKeys(keys: readonly EncryptionKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

/**
 * `id:base64-32-bytes[,id2:…]` → a keyring. Errors name the entry and the id, never key material.
 */
export const EncryptionKeysSchema = z.string().transform((text, ctx): EncryptionKeys => {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const keys: EncryptionKey[] = [];
  const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const material = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      issue(`key ${i + 1}: expected id:base64-key with an id of 1-64 letters, digits, '.', '_' or '-'`);
      return;
    }
    if (keys.some((k) => k.id === id)) {
      issue(`key id '${id}' appears twice (each id must name one key)`);
      return;
    }
    const key = Buffer.from(material, 'base64');
    if (!BASE64.test(material) || key.toString('base64') !== material) {
      issue(`key '${id}': not valid base64 (generate one with: openssl rand -base64 ${KEY_BYTES})`);
    } else if (key.length !== KEY_BYTES) {
      issue(`key '${id}': expected ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
    } else keys.push({ id, key });
  });
  if (entries.length === 0) issue('expected at least one id:base64-key');
  if (keys.length !== entries.length || keys.length === 0) return z.NEVER;
  return keyring(keys);
});
