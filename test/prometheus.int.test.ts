import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { ingestObserver } from '../cli/metrics';
import { freePort } from '../cli/stack/ports';
import { startStack, type Stack } from '../cli/stack/stack';
import { BatchClient } from '../client/batch';
import { PROJECT_ROOT } from '../config/env';
import { startIngest, type IngestTopics, type RunningIngest } from '../ingest';
import type { MetricsServer } from '../metrics/server';
import { createTopics, produce, startTestKafka, type TestKafka } from './helpers/kafka';
import { metricsStackSetup, serveStackMetrics } from './helpers/metrics-stack';

// Debian's prometheus package (scripts/setup.js installs it for the tests; .ci/run too).
const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const DEPLOY = join(PROJECT_ROOT, 'deploy');
const run = Date.now().toString(36);
const exec = promisify(execFile);

let dataDir: string;
let stack: Stack;
let metricsServer: MetricsServer;
let kafka: TestKafka;
let ingest: RunningIngest;
let prometheus: ChildProcess;
let promUrl: string;
let holdout: DemoCase[];
const topics: IngestTopics = {
  requests: `m-${run}.requests`,
  outcomes: `m-${run}.decisions`,
  deadLetter: `m-${run}.dlq`,
};

function requireBinary(path: string): void {
  if (!existsSync(path))
    throw new Error(`${path} not found: install it with 'apt-get install prometheus' (Debian/Ubuntu)`);
}

beforeAll(async () => {
  requireBinary(PROMETHEUS);
  requireBinary(PROMTOOL);
  const setup = await metricsStackSetup('prometheus-test');
  dataDir = setup.dataDir;
  const { env, metrics } = setup;
  const [s, k] = await Promise.allSettled([startStack(env, () => undefined, { metrics }), startTestKafka()]);
  if (s.status === 'fulfilled') stack = s.value;
  if (k.status === 'fulfilled') kafka = k.value;
  if (s.status === 'rejected') throw s.reason;
  if (k.status === 'rejected') throw k.reason;
  metricsServer = await serveStackMetrics(setup);
  await createTopics(kafka.brokers, [topics.requests, topics.outcomes, topics.deadLetter], 1);
  ingest = await startIngest({
    client: stack.client,
    brokers: [kafka.brokers],
    topics,
    groupId: `m-${run}`,
    log: pino({ level: 'silent' }),
    observer: ingestObserver(metrics, [topics.requests]),
  });
  holdout = await loadHoldout();
  prometheus = await startPrometheus(metricsServer.port);
}, 300_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await ingest?.stop(5000).catch(() => undefined);
  await kafka?.stop();
  await metricsServer?.close();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * Real Prometheus on a free port: our alert rules, this stack's /metrics scraped every second. A
 * Prometheus that exits before it scrapes (its port taken between freePort and its bind) is started
 * once more on another port; twice, the suite fails with what it printed.
 */
async function startPrometheus(metricsPort: number): Promise<ChildProcess> {
  const config = join(dataDir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${join(DEPLOY, 'prometheus', 'alerts.yml')}']`,
      'scrape_configs:',
      '  - job_name: arbiter',
      `    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]`,
    ].join('\n'),
  );
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = [`--config.file=${config}`, `--storage.tsdb.path=${join(dataDir, `tsdb-${attempt}`)}`];
    const child = spawn(PROMETHEUS, [...args, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let printed = '';
    child.stderr?.on('data', (chunk: Buffer) => void (printed = (printed + chunk.toString()).slice(-4000)));
    let exited: number | null | undefined;
    child.on('exit', (code) => void (exited = code));
    promUrl = `http://127.0.0.1:${port}`;
    try {
      await until('Prometheus scraped the stack', async () => {
        if (exited !== undefined) throw new Error(`prometheus exited (${exited}) before scraping:\n${printed}`);
        const up = await query('up').catch(() => []);
        return up.some((s) => s.value[1] === '1');
      });
      child.stderr?.removeAllListeners('data');
      child.stderr?.resume();
      return child;
    } catch (err) {
      child.kill('SIGKILL');
      if (attempt >= 2) throw err;
    }
  }
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query; a query Prometheus cannot parse or run rejects with its error. */
async function query(expr: string): Promise<Sample[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Sample[] };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data?.resultType === 'vector' ? (body.data.result ?? []) : [];
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What `expr` sums to in Prometheus now. */
async function total(expr: string): Promise<number> {
  return (await query(`sum(${expr})`)).reduce((n, s) => n + Number(s.value[1]), 0);
}

const toReview = {
  model: 'phishing-gb:champion',
  thresholds: { decline: 1, review: 0 },
  review: { timeoutMs: 600_000 },
};

/**
 * A little of everything the dashboards show: decisions from a client, one sent to review, one
 * rejected, two Kafka requests (one undecidable: a dead letter) and a three-case batch.
 */
async function load(round: number): Promise<void> {
  const tag = `${run}-${round}`;
  const pick = (i: number) => holdout[(round * 10 + i) % holdout.length] as DemoCase;
  await Promise.all([0, 1, 2].map((i) => stack.client.decide({ caseId: `c-${tag}-${i}`, input: pick(i).input })));
  await stack.client.decide({ caseId: `r-${tag}`, input: pick(3).input }, toReview);
  await expect(stack.client.decide({ caseId: `x-${tag}`, input: { ...pick(4).input, https: 'yes' } })).rejects.toThrow(
    /invalid case/,
  );
  await produce(kafka.brokers, topics.requests, [
    { key: `k-${tag}`, value: JSON.stringify({ caseId: `k-${tag}`, input: pick(5).input }) },
    { key: `d-${tag}`, value: 'not json' },
  ]);
  const file = join(dataDir, `batch-${tag}.ndjson`);
  const lines = [6, 7, 8].map((i) => JSON.stringify({ caseId: `b-${tag}-${i}`, input: pick(i).input }));
  await writeFile(file, `${lines.join('\n')}\n`);
  const batches = new BatchClient(stack.client.temporal, 'prometheus-test');
  const batchId = `b-${tag}`;
  await batches.start({ batchId, source: { kind: 'file', path: file }, pipeline: 'demo', chunkSize: 2 });
  await batches.wait(batchId);
  await until('the Kafka requests were handled', () => Promise.resolve(ingest.summary().consumed >= 2 * (round + 1)));
}

/** Every `expr` of every dashboard panel, read from the JSON files themselves. */
async function dashboardQueries(): Promise<{ where: string; expr: string }[]> {
  const dir = join(DEPLOY, 'grafana', 'dashboards');
  const found: { where: string; expr: string }[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) node.forEach((n) => walk(n, where));
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        const here = typeof o.title === 'string' ? `${file} › ${o.title}` : where;
        if (typeof o.expr === 'string') found.push({ where: here, expr: o.expr });
        for (const v of Object.values(o)) walk(v, here);
      }
    };
    walk(JSON.parse(await readFile(join(dir, file), 'utf8')), file);
  }
  return found;
}

describe('deploy/: Prometheus config, alert rules and dashboards against a running stack', () => {
  it('passes promtool', async () => {
    await exec(PROMTOOL, ['check', 'config', join(DEPLOY, 'prometheus', 'prometheus.yml')]);
    const rules = await exec(PROMTOOL, ['check', 'rules', join(DEPLOY, 'prometheus', 'alerts.yml')]);
    expect(rules.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('every dashboard query and every alert measure returns data under a little load', async () => {
    // Two rounds, each after a scrape: every counter grows between scrapes, so rates are not 0/0.
    for (const round of [0, 1]) {
      const before = await total('arbiter_decisions_total');
      await load(round);
      await until('Prometheus saw the round', async () => (await total('arbiter_decisions_total')) >= before + 9);
      await until('a dead letter was scraped', async () => {
        const dl = await total('arbiter_ingest_messages_total{result="dead-lettered"}');
        return dl >= round + 1;
      });
    }
    const dashboards = await dashboardQueries();
    expect(dashboards.length).toBeGreaterThanOrEqual(30);
    const rulesRes = await fetch(`${promUrl}/api/v1/rules`);
    const groups = ((await rulesRes.json()) as { data: { groups: { rules: { name: string; query: string }[] }[] } })
      .data.groups;
    const alerts = groups.flatMap((g) => g.rules);
    expect(alerts.length).toBe(6);
    const empty: string[] = [];
    for (const { where, expr } of dashboards) {
      const samples = await query(expr);
      if (!samples.some((s) => Number.isFinite(Number(s.value[1])))) empty.push(`${where}: ${expr}`);
    }
    for (const rule of alerts) {
      // The rule as written must run; its measure (left of the threshold) must have data.
      await query(rule.query);
      const measure = /^(.*) > [0-9.e+]+$/s.exec(rule.query)?.[1];
      expect(measure, `${rule.name} is '<measure> > <threshold>'`).toBeDefined();
      const samples = await query(measure as string);
      if (!samples.some((s) => Number.isFinite(Number(s.value[1])))) empty.push(`alert ${rule.name}: ${measure}`);
    }
    expect(empty).toEqual([]);
    // The dead letters really happened, so that alert fires (after evaluation), not only parses.
    await until('ArbiterDeadLetters is pending or firing', async () => {
      const res = await fetch(`${promUrl}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: { labels: { alertname: string } }[] } };
      return body.data.alerts.some((a) => a.labels.alertname === 'ArbiterDeadLetters');
    });
  });
});
