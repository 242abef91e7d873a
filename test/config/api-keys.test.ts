import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiKeysConfigError } from '../../config/api-keys';
import { loadApiKeys, parseInlineKeys, readKeysFile } from '../../config/api-keys-source';

const S = 'a-secret-of-20-chars';
const dir = await mkdtemp(join(tmpdir(), 'arbiter-keys-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('ARBITER_API_KEYS', () => {
  it('reads name:role[+role]:secret entries; the secret is everything after the second colon', () => {
    expect(parseInlineKeys(` ana:admin:${S} , bo:decide+read:${S}:x,`)).toEqual({
      keys: [
        { name: 'ana', roles: ['admin'], secret: S },
        { name: 'bo', roles: ['decide', 'read'], secret: `${S}:x` },
      ],
      deprecation: undefined,
    });
  });

  it('keeps bare secrets working as key-<n> with every role, with a one-line deprecation', () => {
    const loaded = parseInlineKeys(`k,ana:read:${S},other`);
    expect(loaded.keys).toEqual([
      { name: 'key-1', roles: ['admin'], secret: 'k' },
      { name: 'ana', roles: ['read'], secret: S },
      { name: 'key-2', roles: ['admin'], secret: 'other' },
    ]);
    expect(loaded.deprecation).toMatch(/^ARBITER_API_KEYS holds 2 bare secret\(s\).*deprecated.*name:role/);
    expect(loaded.deprecation).not.toContain('\n');
  });

  it.each([
    [`ana:reveiw:${S}`, "key 1 roles.0: unknown role 'reveiw' (did you mean 'review'?)"],
    [`ana:owner:${S}`, "key 1 roles.0: unknown role 'owner'; roles: decide, review, admin, read"],
    ['ana:read:', 'key 1 secret: the secret is empty'],
    ['ana:read:short', 'key 1 secret: the secret is too short: at least 16 characters'],
    [`ana:read:${S},ana:decide:${S}-2`, "key 2 name: duplicate key name 'ana'"],
    [`ana:read:${S},bo:decide:${S}`, "key 2 secret: key 'bo' has the same secret as another key"],
    [`ana:${S}`, 'key 1: expected name:role[+role]:secret'],
    [`:read:${S}`, 'key 1 name: a name is 1-63'],
    [`ana::${S}`, "key 1 roles.0: unknown role ''"],
  ])('%j → %s', (text, message) => {
    expect(() => parseInlineKeys(text)).toThrow(ApiKeysConfigError);
    expect(() => parseInlineKeys(text)).toThrow(`ARBITER_API_KEYS: ${message}`);
  });

  it('never repeats a secret in an error', () => {
    const secret = 'distinctive-secret-value';
    const error = (() => {
      try {
        parseInlineKeys(`ana:read:${secret},bo:read:${secret}`);
      } catch (err) {
        return err as Error;
      }
    })();
    expect(error?.message).toMatch(/same secret/);
    expect(error?.message).not.toContain(secret);
  });
});

describe('ARBITER_API_KEYS_FILE', () => {
  it('reads a YAML or a JSON list of { name, roles, secret }', async () => {
    const yaml = await file('keys.yaml', `- name: ana\n  roles: [review, read]\n  secret: ${S}\n`);
    const json = await file('keys.json', JSON.stringify([{ name: 'bo', roles: ['admin'], secret: S }]));
    expect(await readKeysFile(yaml)).toEqual([{ name: 'ana', roles: ['review', 'read'], secret: S }]);
    expect(await loadApiKeys({ ARBITER_API_KEYS_FILE: json })).toEqual({
      keys: [{ name: 'bo', roles: ['admin'], secret: S }],
    });
  });

  it.each([
    ['not a list', 'name: ana', /expected array/],
    ['an unknown field', `- { name: ana, roles: [read], secret: ${S}, role: admin }`, /key 1: .*role/],
    ['no roles', `- { name: ana, roles: [], secret: ${S} }`, /key 1 roles: a key needs at least one role/],
    ['a misspelt role', `- { name: ana, roles: [admn], secret: ${S} }`, /did you mean 'admin'/],
    [
      'a duplicate name',
      `[{ name: a, roles: [read], secret: ${S} }, { name: a, roles: [read], secret: ${S}x }]`,
      /key 2 name: duplicate key name 'a'/,
    ],
    ['broken YAML', '- { name: ana', /cannot be read as YAML or JSON/],
  ])('refuses %s, naming the file', async (_what, text, message) => {
    const path = await file(`bad-${Math.random().toString(36).slice(2)}.yaml`, text);
    const error = await readKeysFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiKeysConfigError);
    expect((error as Error).message).toContain(`ARBITER_API_KEYS_FILE (${path})`);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses both ways at once, and answers no keys for neither', async () => {
    const path = await file('both.json', '[]');
    await expect(loadApiKeys({ ARBITER_API_KEYS: `ana:read:${S}`, ARBITER_API_KEYS_FILE: path })).rejects.toThrow(
      /not both/,
    );
    expect(await loadApiKeys({})).toEqual({ keys: [] });
  });
});
