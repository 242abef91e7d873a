import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../cli/stack/ports';
import { runArbiter } from './helpers/arbiter-cli';
import { openPool } from '../stores/db';
import { PROJECT_ROOT } from '../config/env';

const SAMPLE = join(PROJECT_ROOT, 'demo', 'cases', 'sample.json');
let dataDir: string;
let database: Record<string, string> = {};
let ports: Record<string, string>;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `arbiter` command as a user would, with its own ports and data dir. */
async function arbiter(args: string[], extraEnv: Record<string, string> = {}): Promise<Outcome> {
  const env = {
    ...process.env,
    ...database,
    ...ports,
    ARBITER_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: '',
    NO_COLOR: '1',
    ...extraEnv,
  };
  return runArbiter(args, env);
}

/**
 * With DATABASE_URL (CI's second pass), a database of this suite's own: the CLI talks to whole
 * databases, and other suites' decisions in a shared one would crowd the similar-case search.
 */
async function ownDatabase(): Promise<Record<string, string>> {
  const url = process.env.DATABASE_URL;
  if (!url) return {};
  const name = `arbiter_cli_${randomBytes(4).toString('hex')}`;
  const admin = await openPool(url, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  dropDatabase = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  const own = new URL(url);
  own.pathname = `/${name}`;
  return { DATABASE_URL: own.toString() };
}
let dropDatabase: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'arbiter-cli-'));
  database = await ownDatabase();
  ports = {
    ARBITER_PG_PORT: String(await freePort()),
    ARBITER_TEMPORAL_PORT: String(await freePort()),
    ARBITER_UI_PORT: String(await freePort()),
    ARBITER_METRICS_PORT: String(await freePort()),
  };
});
afterAll(async () => {
  await dropDatabase();
  await rm(dataDir, { recursive: true, force: true });
});

describe('arbiter CLI', () => {
  it('demo --once decides held-out cases, prints the table and the UI address, and exits 0', async () => {
    const out = await arbiter(['demo', '--once', '--count', '6', '--concurrency', '3']);
    expect(out.code, out.stderr).toBe(0);
    const rows = out.stdout.split('\n').filter((l) => /phish-\d{4}-\w+/.test(l));
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toMatch(/(approve|decline|review)\s*│\s*\d\.\d{3}/);
    expect(out.stdout).toMatch(/latency ms: median \d+\.\d, p99 \d+\.\d; Temporal's floor on this stack \d+\.\d/);
    // Then each case's true label goes back as feedback, and decision and models are scored against it.
    expect(out.stdout).toMatch(/labelled decisions: 6 /);
    expect(out.stdout).toMatch(/phishing-gb@\d+\s*│\s*primary/);
    expect(out.stderr).toContain(`http://localhost:${ports.ARBITER_UI_PORT}`);
  });

  it('after demo --once, decide --json starts the stack itself and shows the sample with its similar past case', async () => {
    const out = await arbiter(['decide', '--pipeline', 'demo', '--input-file', SAMPLE, '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('starting the embedded stack');
    const decision = JSON.parse(out.stdout) as Record<string, unknown> & {
      models: Record<string, unknown>[];
      similar: Record<string, unknown>[];
    };
    expect(Object.keys(decision)).toEqual(
      expect.arrayContaining(['id', 'outcome', 'score', 'reasons', 'models', 'similar', 'degraded', 'latencyMs']),
    );
    expect(decision.id).toBe('decision-phish-0206');
    for (const m of decision.models)
      expect(Object.keys(m)).toEqual(expect.arrayContaining(['name', 'version', 'output', 'latencyMs']));
    // The demo decided the same held-out case (phish-0206-<run>) and labelled it: its twin is found.
    expect(decision.similar[0]?.id).toMatch(/^decision-phish-0206-/);
    expect(decision.similar[0]?.label).toBe('fraud');
    expect(decision.similar[0]?.score).toBeCloseTo(1, 5);
    for (const s of decision.similar)
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['id', 'score', 'outcome']));

    const list = await arbiter(['decisions', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const ids = (JSON.parse(list.stdout) as { decisionId: string }[]).map((d) => d.decisionId);
    expect(ids).toContain('decision-phish-0206');
  });

  it('decisions feedback --file applies the good rows, names each bad one, sums up and exits 1', async () => {
    const file = join(dataDir, 'labels.ndjson');
    const rows = [
      { decisionId: 'decision-phish-0206', label: 'fraud', source: 'chargeback' },
      { decisionId: 'decision-nobody', label: 'legit' },
      { decisionId: 'decision-phish-0206', label: 'maybe' },
    ];
    await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const out = await arbiter(['decisions', 'feedback', '--file', file]);
    expect(out.code).toBe(1);
    expect(out.stdout.trim()).toBe('1 applied, 0 unchanged, 2 failed');
    expect(out.stderr).toContain('row 2 (decision-nobody): Feedback.DecisionNotFound: no decision decision-nobody');
    expect(out.stderr).toContain('row 3 (decision-phish-0206): Feedback.Invalid: invalid feedback: label:');

    // The same file again changes nothing; --json gives every row.
    const again = await arbiter(['decisions', 'feedback', '--file', file, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ applied: 0, unchanged: 1, failed: 2 });

    // list --pipeline, and the same feedback rows in list --json and show --json.
    const list = await arbiter(['decisions', 'list', '--pipeline', 'demo', '--limit', '100', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as { decisionId: string; pipeline: { name: string }; feedback: unknown[] }[];
    expect(new Set(listed.map((d) => d.pipeline.name))).toEqual(new Set(['demo']));
    const row = listed.find((d) => d.decisionId === 'decision-phish-0206');
    expect(row?.feedback).toEqual([expect.objectContaining({ label: 'fraud', source: 'chargeback' })]);
    const show = await arbiter(['decisions', 'show', 'decision-phish-0206', '--json']);
    expect((JSON.parse(show.stdout) as { feedback: unknown[] }).feedback).toEqual(row?.feedback);

    const both = await arbiter(['decisions', 'feedback', 'decision-phish-0206', '--file', file]);
    expect([both.code, both.stderr]).toEqual([1, expect.stringContaining('with --file, each row gives its own')]);
  });

  it('prints its version', async () => {
    const out = await arbiter(['--version']);
    expect(out.code, out.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(out.stdout.trim()).toBe(pkg.version);
  });

  it('says in one line which port is busy, with no stack trace', async () => {
    const blocker = createServer().listen(Number(ports.ARBITER_UI_PORT), '127.0.0.1');
    try {
      const out = await arbiter(['demo', '--once', '--count', '1']);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(`arbiter: port ${ports.ARBITER_UI_PORT} (Temporal Web UI) is already in use`);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('says what to install when the Temporal CLI it was pointed at does not run', async () => {
    const out = await arbiter(['dev'], { TEMPORAL_CLI: join(dataDir, 'no-such-temporal') });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('TEMPORAL_CLI=');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('says where the DATABASE_URL it cannot reach points, without user, password or database', async () => {
    const port = await freePort();
    const out = await arbiter(['demo', '--once'], { DATABASE_URL: `postgres://u:pw@127.0.0.1:${port}/db` });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`arbiter: cannot connect to the database of DATABASE_URL at 127.0.0.1:${port}`);
    expect(out.stderr).not.toMatch(/postgres:\/\/|u:pw|\/db\b/);
  });
});
