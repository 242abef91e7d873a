import { builtinModules } from 'node:module';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../cli/bench';
import { PROJECT_ROOT } from '../config/paths';

// No Docker engine here: the Dockerfile is checked against what the processes really load — every
// file reached by imports from the image's entry points must be copied (not excluded by
// .dockerignore) and every package they import must survive `npm ci --omit=dev`.

const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8');

/** Dockerfile instructions, continuation lines joined, comments dropped: [KEYWORD, rest]. */
function instructions(text: string): [string, string][] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [kw = '', ...rest] = l.split(/\s+/);
      return [kw.toUpperCase(), rest.join(' ')];
    });
}

/** .dockerignore as Docker reads it: each pattern matches a path from the context root, or a folder above it. */
function ignoredBy(patterns: string[]): (file: string) => boolean {
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/\/$/, '')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')}$`,
      ),
  );
  return (file) => {
    const parts = file.split('/');
    return parts.some((_, i) => regexes.some((r) => r.test(parts.slice(0, i + 1).join('/'))));
  };
}

const SPECIFIER =
  /(?:^|[^\w.])(?:import|export)\s+(type\s+)?(?:[\w*{}\s,]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveLocal(from: string, spec: string): string | undefined {
  const base = join(dirname(from), spec);
  const candidates = [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every file reached from the entry points, and every package those files load at run time. */
function walk(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((e) => join(PROJECT_ROOT, e));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const m of read(relative(PROJECT_ROOT, file)).matchAll(SPECIFIER)) {
      const spec = m[2] ?? m[3];
      if (!spec || m[1]) continue; // `import type` is erased
      if (spec.startsWith('.')) {
        const target = resolveLocal(file, spec);
        expect(target, `${relative(PROJECT_ROOT, file)} imports ${spec}`).toBeDefined();
        if (target) queue.push(target);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
      }
    }
  }
  return { files: new Set([...files].map((f) => relative(PROJECT_ROOT, f))), packages };
}

const dockerfile = instructions(read('Dockerfile'));
const ignored = ignoredBy(
  read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')),
);
const last = (kw: string) => dockerfile.filter(([k]) => k === kw).at(-1)?.[1];
const exec = (kw: string): string[] => JSON.parse(last(kw) ?? 'null') as string[];
// `arbiter bench models` is the one command left to a development checkout: it runs MLServer and
// the test suite's model fixtures (test/helpers), which the image leaves out.
const IMAGE_BENCHMARKS = BENCHMARKS.filter((b) => b !== 'models');
const ENTRIES = [
  'bin/arbiter.js',
  'cli/main.ts',
  ...readdirSync(join(PROJECT_ROOT, 'workers')).map((f) => `workers/${f}`),
  ...IMAGE_BENCHMARKS.map((b) => `bench/${b}.ts`),
];

describe('the Dockerfile', () => {
  it('builds on a current Node LTS (even major, 24 or later)', () => {
    const base = /^node:(\d+)[-.]/.exec(last('FROM') ?? '');
    const major = Number(base?.[1]);
    expect(major).toBeGreaterThanOrEqual(24);
    expect(major % 2).toBe(0);
  });

  it('installs production dependencies only, then copies the sources', () => {
    expect(dockerfile).toContainEqual(['RUN', expect.stringMatching(/npm ci --omit=dev/)]);
    expect(dockerfile).toContainEqual(['COPY', '. .']);
  });

  it('copies patches/ before npm ci, whose postinstall (patch-package) applies them', () => {
    const at = (match: (i: [string, string]) => boolean) => dockerfile.findIndex(match);
    const install = at(([op, arg]) => op === 'RUN' && /npm ci\b/.test(arg));
    const patches = at(([op, arg]) => op === 'COPY' && /^patches\b/.test(arg));
    expect(patches).toBeGreaterThanOrEqual(0);
    expect(patches).toBeLessThan(install);
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.scripts.postinstall).toMatch(/^patch-package\b/);
    // A production dependency: `npm ci --omit=dev` runs the postinstall too.
    expect(pkg.dependencies['patch-package']).toBeDefined();
  });

  it('runs as a user that is not root', () => {
    expect(last('USER')).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(last('USER'));
  });

  it('has a HEALTHCHECK that runs `arbiter health`', () => {
    expect(last('HEALTHCHECK')).toMatch(/CMD \["node", "bin\/arbiter\.js", "health"\]/);
  });

  it('enters through bin/arbiter.js, so `docker run IMAGE --help` is `arbiter --help`', () => {
    expect(exec('ENTRYPOINT')).toEqual(['node', 'bin/arbiter.js']);
    expect(exec('CMD')).toEqual(['worker']);
  });

  it('copies every file the processes import, and the data they read', () => {
    const { files } = walk(ENTRIES);
    const dataDirs = ['package.json', 'demo/models', 'demo/pipelines', 'demo/rules', 'demo/data', 'demo/byom'];
    const needed = [...files, ...dataDirs];
    expect(files.size).toBeGreaterThan(100); // the walk follows the imports
    expect(needed.filter(ignored)).toEqual([]);
  });

  it('keeps secrets, tests and local tools out of the image', () => {
    for (const path of ['.env', '.env.production', 'node_modules/x', '.tools/x', 'test/x.test.ts', '.git/HEAD']) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it('has every package the processes load among the production dependencies', () => {
    const { packages } = walk(ENTRIES);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect([...packages].filter((p) => !(p in pkg.dependencies))).toEqual([]);
  });
});
