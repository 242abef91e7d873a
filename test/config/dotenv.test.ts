import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDotEnv } from '../../config/dotenv';

const dir = await mkdtemp(join(tmpdir(), 'arbiter-dotenv-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
await writeFile(
  join(dir, '.env'),
  ['# a comment', 'ARBITER_MODELS_DIR=models', 'ARBITER_RULES_DIR=/abs/rules', 'LOG_LEVEL=debug', 'PORT=9000'].join(
    '\n',
  ),
);

describe('loadDotEnv: a project .env under the shell', () => {
  it('adds what is unset, resolves relative *_DIR values against the file, and lets the shell win', () => {
    const env: NodeJS.ProcessEnv = { PORT: '8081' };
    expect(loadDotEnv(dir, env)).toBe(join(dir, '.env'));
    expect(env).toEqual({
      ARBITER_MODELS_DIR: join(dir, 'models'),
      ARBITER_RULES_DIR: '/abs/rules',
      LOG_LEVEL: 'debug',
      PORT: '8081',
    });
  });

  it('reads nothing where there is no .env', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(join(dir, 'nowhere'), env)).toBeUndefined();
    expect(env).toEqual({});
  });
});
