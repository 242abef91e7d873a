import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, ENCRYPTED_ENCODING, METADATA_ENCRYPTION_KEY_ID } from '../../codec/encryption-codec';
import { PayloadDecryptionError, UnknownEncryptionKeyError } from '../../codec/errors';
import { EncryptionKeysSchema, formatKeys, generateKey } from '../../codec/keys';

const A = generateKey('key-a');
const B = generateKey('key-b');
const codecOf = (text: string) => new EncryptionCodec(EncryptionKeysSchema.parse(text));
const SECRET = { applicant: 'Zebra Quasar', iban: 'DE89 3704 0044 0532 0130 00' };
const plain = (): Payload => defaultPayloadConverter.toPayload(SECRET);
const meta = (p: Payload | undefined, key: string) => Buffer.from(p?.metadata?.[key] ?? []).toString();

describe('EncryptionCodec (AES-256-GCM)', () => {
  it('encrypts the whole payload, names the key, and decrypts it back', async () => {
    const codec = codecOf(formatKeys([A]));
    const [encrypted] = await codec.encode([plain()]);
    expect(meta(encrypted, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(encrypted, METADATA_ENCRYPTION_KEY_ID)).toBe('key-a');
    const bytes = Buffer.from(encrypted?.data ?? []);
    expect(bytes.includes('Zebra')).toBe(false);
    expect(bytes.includes('json/plain')).toBe(false);
    const [decoded] = await codec.decode([encrypted as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(SECRET);
  });

  it('uses a fresh IV each time: the same payload never encrypts to the same bytes', async () => {
    const codec = codecOf(formatKeys([A]));
    const [one, two] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(one?.data ?? []).equals(Buffer.from(two?.data ?? []))).toBe(false);
  });

  it('rotates without downtime: keys "B,A" decrypt what A encrypted, and encrypt with B', async () => {
    const [underA] = await codecOf(formatKeys([A])).encode([plain()]);
    const rotated = codecOf(formatKeys([B, A]));
    const [decoded] = await rotated.decode([underA as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(SECRET);
    const [underB] = await rotated.encode([plain()]);
    expect(meta(underB, METADATA_ENCRYPTION_KEY_ID)).toBe('key-b');
    // Once A is retired, what B encrypted still decrypts; what A encrypted names A.
    const onlyB = codecOf(formatKeys([B]));
    await expect(onlyB.decode([underB as Payload])).resolves.toHaveLength(1);
    await expect(onlyB.decode([underA as Payload])).rejects.toThrow(UnknownEncryptionKeyError);
    await expect(onlyB.decode([underA as Payload])).rejects.toThrow(/'key-a'/);
  });

  it.each([
    ['a flipped ciphertext byte', (d: Buffer) => (d[20] = (d[20] ?? 0) ^ 1)],
    ['a flipped tag byte', (d: Buffer) => (d[d.length - 1] = (d[d.length - 1] ?? 0) ^ 1)],
    ['a flipped IV byte', (d: Buffer) => (d[0] = (d[0] ?? 0) ^ 1)],
  ])('refuses %s', async (_name, tamper) => {
    const codec = codecOf(formatKeys([A]));
    const [encrypted] = await codec.encode([plain()]);
    const data = Buffer.from(encrypted?.data ?? []);
    tamper(data);
    await expect(codec.decode([{ ...encrypted, data }])).rejects.toThrow(PayloadDecryptionError);
  });

  it('refuses a truncated payload and one under another key with the same id', async () => {
    const [encrypted] = await codecOf(formatKeys([A])).encode([plain()]);
    const short = { ...encrypted, data: Buffer.from(encrypted?.data ?? []).subarray(0, 20) };
    await expect(codecOf(formatKeys([A])).decode([short])).rejects.toThrow(PayloadDecryptionError);
    const impostor = codecOf(formatKeys([{ id: 'key-a', key: randomBytes(32) }]));
    await expect(impostor.decode([encrypted as Payload])).rejects.toThrow(PayloadDecryptionError);
  });

  it('passes payloads that are not encrypted through unchanged (histories from before encryption)', async () => {
    const payload = plain();
    const [decoded] = await codecOf(formatKeys([A])).decode([payload, { metadata: {} }]);
    expect(decoded).toBe(payload);
  });
});

describe('ARBITER_ENCRYPTION_KEYS', () => {
  const b64 = (n: number) => randomBytes(n).toString('base64');

  it('reads id:base64 pairs in order: the first encrypts', () => {
    const keys = EncryptionKeysSchema.parse(` new:${b64(32)} , old:${b64(32)} `);
    expect(keys.current.id).toBe('new');
    expect(keys.all.map((k) => k.id)).toEqual(['new', 'old']);
  });

  it.each([
    ['a short key', `a:${b64(16)}`, "key 'a': expected 32 bytes (AES-256), got 16"],
    ['a long key', `a:${b64(48)}`, "key 'a': expected 32 bytes (AES-256), got 48"],
    ['a duplicate id', `a:${b64(32)},a:${b64(32)}`, "key id 'a' appears twice"],
    ['no id', b64(32), 'key 1: expected id:base64-key'],
    ['a bad id', `a b:${b64(32)}`, 'key 1: expected id:base64-key'],
    ['bad base64', 'a:not*base64', "key 'a': not valid base64"],
    ['nothing', ' , ', 'expected at least one id:base64-key'],
  ])('refuses %s with a clear message', (_name, text, message) => {
    const parsed = EncryptionKeysSchema.safeParse(text);
    expect(parsed.success).toBe(false);
    const messages = parsed.error?.issues.map((i) => i.message).join('; ') ?? '';
    expect(messages).toContain(message);
    // Key material is never echoed back.
    for (const part of text.split(',')) expect(messages).not.toContain(part.split(':')[1] || '\u0000');
  });
});
