import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where Prometheus scrapes a process: `/metrics` on ARBITER_METRICS_PORT. */
export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  port: number;
  /** @default '0.0.0.0' (Prometheus scrapes from elsewhere) */
  host?: string;
  /** Arbiter's own exposition text (prom-client). */
  scrape: () => Promise<string>;
  /** The Temporal SDK's exporter, bound on loopback (`sdkMetricsAddress`): its text is appended. */
  sdkAddress?: string;
}

/** The SDK exporter's text; while it is unreachable, Arbiter's own metrics are still served. */
async function sdkText(address: string | undefined): Promise<string> {
  if (!address) return '';
  try {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

/** The text both halves make: prom-client's first, then the SDK's (their names never overlap: `arbiter_`, `temporal_`). */
export async function exposition(scrape: () => Promise<string>, sdkAddress: string | undefined): Promise<string> {
  const [own, sdk] = await Promise.all([scrape(), sdkText(sdkAddress)]);
  return sdk ? `${own.trimEnd()}\n${sdk}` : own;
}

/** Serves `GET /metrics` (prom-client's text format 0.0.4) until closed. */
export async function serveMetrics(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    exposition(opts.scrape, opts.sdkAddress).then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      (err: unknown) => res.writeHead(500).end(`${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
