import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../codec/encryption-codec';
import { EncryptionKeysSchema, formatKeys, generateKey } from '../codec/keys';
import { freePort } from '../cli/stack/ports';
import { PROJECT_ROOT } from '../config/paths';
import { runArbiter } from './helpers/arbiter-cli';

const BIN = join(PROJECT_ROOT, 'bin', 'arbiter.js');
const KEYS = formatKeys([generateKey('compose-1')]);
const UI = 'http://localhost:8080';
const SECRET = { applicant: 'Quokka Meridian' };

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(data ?? []).toString('base64'),
});
const fromJson = ({ metadata, data }: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data, 'base64'),
});

let server: ChildProcess | undefined;
let base = '';

/** Starts `arbiter codec-server` as compose does (a process of its own) and waits for its endpoint line. */
async function startServer(port: number, extra: string[]): Promise<ChildProcess> {
  const env = { ...process.env, ARBITER_ENCRYPTION_KEYS: KEYS, ARBITER_CODEC_CORS_ORIGINS: UI };
  const child = spawn(process.execPath, [BIN, 'codec-server', '--port', String(port), ...extra], { env });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('codec endpoint:')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`codec-server exited ${code}: ${stderr}`)));
  });
  return child;
}

beforeAll(async () => {
  const port = await freePort();
  server = await startServer(port, ['--public-host', `codec.internal:${port}`]);
  base = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(() => {
  server?.kill('SIGTERM');
});

describe('arbiter codec-server', () => {
  it("decodes what the stack's key encrypted, for the UI's origin, without an API key", async () => {
    const [encrypted] = await new EncryptionCodec(EncryptionKeysSchema.parse(KEYS)).encode([
      defaultPayloadConverter.toPayload(SECRET),
    ]);
    const res = await fetch(`${base}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: UI, 'x-namespace': 'default' },
      body: JSON.stringify({ payloads: [toJson(encrypted as Payload)] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(defaultPayloadConverter.fromPayload(fromJson(body.payloads[0] as never))).toEqual(SECRET);
  });

  it('answers the hosts it was told, and refuses any other (a page rebinding its name to this port)', async () => {
    const port = new URL(base).port;
    // fetch may not set Host (a forbidden header): node:http may.
    const ask = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = request(`${base}/codec/encode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', host },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ payloads: [] }));
      });
    expect(await ask(`localhost:${port}`)).toBe(200);
    expect(await ask(`codec.internal:${port}`)).toBe(200);
    expect(await ask(`evil.example:${port}`)).toBe(403);
  });

  it('refuses to start without keys or without a UI origin, saying which', async () => {
    const env = { ...process.env, ARBITER_ENCRYPTION_KEYS: '', ARBITER_CODEC_CORS_ORIGINS: UI };
    const noKeys = await runArbiter(['codec-server', '--port', '0'], env);
    expect(noKeys.code).toBe(1);
    expect(noKeys.stderr).toContain('ARBITER_ENCRYPTION_KEYS is not set');
    const noUi = await runArbiter(['codec-server', '--port', '0'], {
      ...env,
      ARBITER_ENCRYPTION_KEYS: KEYS,
      ARBITER_CODEC_CORS_ORIGINS: '',
    });
    expect(noUi.code).toBe(1);
    expect(noUi.stderr).toContain('ARBITER_CODEC_CORS_ORIGINS is empty');
  });
});
