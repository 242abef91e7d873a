import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelVersionSpec } from '../../core/model-version';

/**
 * A local scoring service whose latency and failures tests choose by path, so pipelines can be
 * run against real HTTP models that are slow, broken or fast on purpose:
 *   POST /score/<value>/<delayMs>  → {"score": value} after delayMs
 *   POST /fail/<status>            → that HTTP status
 *   POST /mean                     → {"score": mean of the body's numbers}  (a stacking meta-model)
 * `hits` counts requests per path.
 */
export interface ScoringService {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startScoringService(): Promise<ScoringService> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const [, kind, a, b] = path.split('/');
      const reply = (status: number, value?: unknown) => {
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(value === undefined ? '{}' : JSON.stringify(value));
      };
      if (kind === 'score') return void setTimeout(() => reply(200, { score: Number(a) }), Number(b ?? 0));
      if (kind === 'fail') return reply(Number(a ?? 500));
      if (kind === 'mean') {
        const values = Object.values(JSON.parse(body || '{}') as Record<string, unknown>).filter(
          (v): v is number => typeof v === 'number',
        );
        return reply(200, { score: values.reduce((x, y) => x + y, 0) / Math.max(values.length, 1) });
      }
      reply(404);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** An http-json model on the service at `path`, taking any object and answering `{ score }`. */
export function serviceModel(service: ScoringService, name: string, path: string): ModelVersionSpec {
  return {
    name,
    kind: 'http-json',
    uri: service.url,
    config: { path, probeInput: {} },
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] },
  };
}
