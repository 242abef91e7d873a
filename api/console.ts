import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context } from 'hono';
import { PROJECT_ROOT } from '../config/env';
import type { ApiApp } from './deps';

/** Where the console's own files live (plain ES modules, no build step). */
export const CONSOLE_DIR = join(PROJECT_ROOT, 'console');

/**
 * The browser libraries the console imports, by the name it imports them under: only these files
 * of node_modules are served, never a path the request names.
 */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
  'uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Paths anyone may fetch: the console's page, its files and the vendored libraries (the data needs a key). */
export const isConsolePath = (path: string): boolean => path === '/' || path.startsWith('/console/');

/**
 * No other origin, and no inline script but the page's import map, allowed by its hash: the
 * console's own modules and the API are all it loads. (Styles may be inline: uPlot sizes its canvas so.)
 */
export function consoleCsp(indexHtml: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(indexHtml)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap, 'utf8').digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function send(c: Context, file: string, csp: string): Promise<Response> {
  const type = TYPES[extname(file)];
  if (!type) return c.notFound();
  try {
    const body = await readFile(file);
    return c.body(body, 200, {
      'content-type': type,
      'cache-control': 'no-cache',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
    });
  } catch {
    return c.notFound();
  }
}

/** `/` (the console), `/console/*` (its modules and styles) and `/console/vendor/*` (the allow-list above). */
export function consoleRoutes(app: ApiApp): void {
  // Read once, at start: the policy's hash must match the page this process serves.
  const csp = consoleCsp(readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8'));
  app.get('/', (c) => send(c, join(CONSOLE_DIR, 'index.html'), csp));
  app.get('/console/vendor/:file', (c) => {
    const target = VENDOR_FILES[c.req.param('file')];
    return target ? send(c, join(PROJECT_ROOT, 'node_modules', target), csp) : c.notFound();
  });
  app.get('/console/*', (c) => {
    const relative = normalize(c.req.path.slice('/console/'.length));
    // normalize() resolves `..`: anything still climbing out of the folder is refused.
    if (relative.startsWith('..') || relative.includes(`${sep}..`) || relative.startsWith(sep)) return c.notFound();
    return send(c, join(CONSOLE_DIR, relative), csp);
  });
}
