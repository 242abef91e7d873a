import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHealthUrl } from '../cli/processes';
import { loadEnv } from '../config/env';
import { runArbiter } from './helpers/arbiter-cli';

// `arbiter health` is the image's HEALTHCHECK: a real process against a real HTTP server.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/metrics') res.writeHead(200).end('arbiter_up 1\n');
    else res.writeHead(503).end('draining\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('arbiter health', () => {
  it('looks at ARBITER_HEALTH_URL, else /metrics on ARBITER_METRICS_PORT, else 9464', () => {
    const healthz = 'http://127.0.0.1:8080/healthz';
    expect(defaultHealthUrl(loadEnv({ ARBITER_HEALTH_URL: healthz }))).toBe(healthz);
    expect(defaultHealthUrl(loadEnv({ ARBITER_METRICS_PORT: '9500' }))).toBe('http://127.0.0.1:9500/metrics');
    expect(defaultHealthUrl(loadEnv({ ARBITER_METRICS_PORT: ' ', ARBITER_HEALTH_URL: '' }))).toBe(
      'http://127.0.0.1:9464/metrics',
    );
  });

  it.each([
    ['/metrics on ARBITER_METRICS_PORT answering 200', () => ({ ARBITER_METRICS_PORT: new URL(base).port }), [], 0],
    ['ARBITER_HEALTH_URL answering 503', () => ({ ARBITER_HEALTH_URL: `${base}/healthz` }), [], 1],
    ['--url answering 200', () => ({}), ['--url', 'METRICS'], 0],
    ['nothing listening', () => ({ ARBITER_METRICS_PORT: '1' }), [], 1],
  ])('exits by what answers: %s', async (_name, env, args, code) => {
    const argv = args.map((a) => (a === 'METRICS' ? `${base}/metrics` : a));
    const run = await runArbiter(['health', ...argv], { ...process.env, ...env() });
    expect(run.code, run.stderr).toBe(code);
    if (code !== 0)
      expect(run.stderr).toMatch(/arbiter: health: http:\/\/127\.0\.0\.1:\d+\/\w+ (answered 503|did not answer)/);
  });
});
