import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../api/problems';
import { freePort } from '../cli/stack/ports';
import { PROJECT_ROOT } from '../config/env';
import { apiCaller, pollUntil } from './helpers/api';

const BIN = join(PROJECT_ROOT, 'bin', 'arbiter.js');
let dataDir: string;
let env: NodeJS.ProcessEnv;

/** The real `arbiter api` on its own embedded stack: own data dir and ports, nothing attached. */
function arbiterApi(args: string[] = [], extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'api', ...args], { env: { ...env, ...extra }, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'arbiter-api-cli-'));
  const { DATABASE_URL: _unused, ...rest } = process.env;
  env = {
    ...rest,
    ARBITER_DATA_DIR: dataDir,
    ARBITER_PG_PORT: String(await freePort()),
    ARBITER_TEMPORAL_PORT: String(await freePort()),
    ARBITER_UI_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: '',
    NO_COLOR: '1',
  };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('arbiter api', () => {
  it('refuses to start without keys, in one line; --no-auth warns loudly', async () => {
    // A busy port stops it before any stack starts (after the warning).
    const port = await freePort();
    const blocker = createServer().listen(port, '0.0.0.0');
    try {
      const closed = arbiterApi([], { ARBITER_API_KEYS: ' ' });
      const misspelt = arbiterApi([], { ARBITER_API_KEYS: 'ana:reveiw:a-secret-of-20-chars' });
      const open = arbiterApi(['--no-auth', '--port', String(port)], { ARBITER_API_KEYS: '' });
      expect(await closed.exited).toBe(1);
      expect(closed.stderr()).toMatch(/^arbiter: ARBITER_API_KEYS is empty: .*--no-auth/);
      expect(closed.stderr().trim().split('\n')).toHaveLength(1);
      expect(await misspelt.exited).toBe(1);
      expect(misspelt.stderr()).toBe(
        "arbiter: ARBITER_API_KEYS: key 1 roles.0: unknown role 'reveiw' (did you mean 'review'?); roles: decide, review, admin, read\n",
      );
      expect(await open.exited).toBe(1);
      expect(open.stderr()).toContain('AUTHENTICATION IS OFF');
      expect(open.stderr()).toContain(`arbiter: port ${port} (HTTP API) is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('serves on the embedded stack: healthz, 401 without a key, 400 naming input, OpenAPI; exits 0 on Ctrl-C', async () => {
    const port = await freePort();
    // A bare secret (the format before roles) and a named read-only key.
    const reader = 'reader-secret-0123456789';
    const run = arbiterApi([], { ARBITER_API_KEYS: `k,reader:read:${reader}`, PORT: String(port) });
    let child: ChildProcess | undefined = run.child;
    try {
      const call = apiCaller(`http://127.0.0.1:${port}`);
      // The port is taken first: while the stack starts, requests get a 503 `starting` problem.
      const seen = new Set<number>();
      const health = await pollUntil(
        () => call('GET', '/healthz').catch(() => ({ status: 0, body: {} })),
        (r) => seen.add(r.status).has(200) || run.child.exitCode !== null,
        100_000,
      );
      expect(health.status, run.stderr()).toBe(200);
      expect(seen).toContain(503);

      const anonymous = await call<Problem>('POST', '/v1/decisions', { caseId: 'x', input: {} });
      expect(anonymous.status).toBe(401);
      const malformed = await call<Problem>('POST', '/v1/decisions', { caseId: 'x' }, { key: 'k' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors?.map((e) => e.path)).toEqual(['input']);
      const readOnly = await call<Problem>('POST', '/v1/decisions', { caseId: 'x' }, { key: reader });
      expect([readOnly.status, readOnly.body.type]).toEqual([403, 'urn:arbiter:problem:forbidden']);
      const doc = await call<{ openapi: string }>('GET', '/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');

      run.child.kill('SIGINT');
      expect(await run.exited, run.stderr()).toBe(0);
      child = undefined;
      expect(run.stderr()).toContain(`Arbiter API at http://127.0.0.1:${port}`); // loopback unless --host says otherwise
      expect(run.stderr()).toMatch(/ARBITER_API_KEYS holds 1 bare secret\(s\), taken as key-1\.\.key-1 .*deprecated/);
    } finally {
      child?.kill('SIGKILL');
    }
  }, 150_000);
});
