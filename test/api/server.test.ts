import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../api/server';

describe('startApiServer', () => {
  it('answers 503 `starting` until given the app, then the app; close() is safe twice', async () => {
    const server = await startApiServer({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${server.port}/healthz`;
    const early = await fetch(url);
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(await early.json()).toMatchObject({ type: 'urn:arbiter:problem:starting', status: 503 });
    server.use(() => new Response('ready'));
    expect(await (await fetch(url)).text()).toBe('ready');
    await server.close();
    await server.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});
