import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { CONSOLE_DIR, VENDOR_FILES } from '../../api/console';
import type { ApiDeps } from '../../api/deps';
import type { ArbiterClient } from '../../client';

const app = createApp({
  client: {} as ArbiterClient,
  pool: {} as Pool,
  apiKeys: [{ name: 'reed', roles: ['read'], secret: 'read-secret-000001' }],
} as unknown as ApiDeps);

describe('the console files', () => {
  it.each([
    ['/', 'text/html'],
    ['/console/app.js', 'text/javascript'],
    ['/console/pages/case.js', 'text/javascript'],
    ['/console/style.css', 'text/css'],
    ...Object.keys(VENDOR_FILES).map((f) => [
      `/console/vendor/${f}`,
      f.endsWith('.css') ? 'text/css' : 'text/javascript',
    ]),
  ])('serves %s without a key (%s)', async (path, type) => {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(type);
  });

  it.each([
    '/console/vendor/react.mjs',
    '/console/vendor/..%2F..%2Fpackage.json',
    '/console/..%2Fpackage.json',
    '/console/nope.js',
    '/console/tsconfig.json',
  ])('refuses %s (404): only the allow-list and the console folder', async (path) => {
    expect((await app.request(path)).status).toBe(404);
  });

  it('never serves a file outside the folder, whatever the encoding', async () => {
    // Resolved to /api/app.ts before routing: no console path, so the key check answers.
    const res = await app.request('/console/%2e%2e/api/app.ts');
    expect(res.status).toBe(401);
  });

  it("allows the page's import map by its hash and nothing inline besides", async () => {
    const html = readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8');
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(map).digest('base64');
    const csp = (await app.request('/')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toContain("unsafe-inline'; script");
    // Every import the map names is served.
    const { imports } = JSON.parse(map) as { imports: Record<string, string> };
    for (const url of Object.values(imports)) expect((await app.request(url)).status, url).toBe(200);
  });

  it('still asks for a key for the data', async () => {
    expect((await app.request('/v1/reviews')).status).toBe(401);
  });
});
