import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterClient, type DecideOptions } from '../client';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { installCliRuntime } from '../cli/runtime';
import { freePort } from '../cli/stack/ports';
import { startTemporalDevServer, type TemporalDevServer } from '../cli/stack/temporal-dev-server';
import type { DecisionResult } from '../core/decision';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { loadEnv } from '../config/env';
import { startOrchestratorRuntime, type OrchestratorRuntime } from '../workers/orchestrator-runtime';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { bundleWorkflows } from './helpers/temporal';

// Debian's package. Without it the UI test fails (integration tests never skip), in CI and locally.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const UI_TIMEOUT_MS = 30_000;
const MODEL = 'phishing-gb:champion';
const run = randomBytes(3).toString('hex');
const taskQueue = `temporal-ui-${run}`;

type Role = 'declineHigh' | 'declineLow' | 'approve' | 'review';
/** One decision per role, each with an outcome and score known in advance. */
const decided = {} as Record<Role, DecisionResult>;
let lowRisk: DemoCase;
let dataDir: string;
let uiPort: number;
let server: Promise<TemporalDevServer> | undefined;
let db: Promise<TestDatabase> | undefined;
let connection: NativeConnection | undefined;
let runtime: OrchestratorRuntime | undefined;
let client: ArbiterClient;
let browser: BrowserContext | undefined;

// The embedded stack's own dev server (the one `arbiter dev` starts, UI included), not the SDK's.
beforeAll(async () => {
  installCliRuntime();
  ensureTemporalCli();
  dataDir = await mkdtemp(join(tmpdir(), 'arbiter-temporal-ui-'));
  const port = await freePort();
  uiPort = await freePort();
  // Kept as promises: afterAll stops each one that started, even when another one failed.
  server = startTemporalDevServer({ dataDir: join(dataDir, 'temporal'), port, uiPort });
  db = createTestDatabase();
  const [started, database, bundle, holdout] = await Promise.all([server, db, bundleWorkflows(), loadHoldout()]);
  connection = await NativeConnection.connect({ address: started.address });
  runtime = await startOrchestratorRuntime({
    connection,
    namespace: 'default',
    pool: database.pool,
    env: loadEnv({ ...process.env, ARBITER_TASK_QUEUE: taskQueue, REDIS_URL: '' }),
    seedDemo: true,
    workflowBundle: bundle,
  });
  client = new ArbiterClient(new Client({ connection, namespace: 'default' }), { taskQueue });

  // One model: its score for each held-out case is known, so the thresholds fix the outcome.
  const pick = (low: number, high: number) => {
    const found = holdout.find(
      (c) => (c.reference['phishing-gb'] ?? -1) >= low && (c.reference['phishing-gb'] ?? 2) < high,
    );
    if (!found) throw new Error(`no held-out case with a phishing-gb score in [${low}, ${high})`);
    return found;
  };
  lowRisk = pick(0, 0.05);
  const split: DecideOptions = { model: MODEL, thresholds: { decline: 0.5, review: 0.5 } };
  const decide = (role: string, c: DemoCase, options: DecideOptions) =>
    client.decide({ caseId: `${role}-${run}`, input: c.input }, options);
  [decided.declineHigh, decided.declineLow, decided.approve, decided.review] = await Promise.all([
    decide('decline-high', pick(0.95, 1.01), split),
    decide('decline-low', pick(0.6, 0.75), split),
    decide('approve', lowRisk, split),
    // Every score lands in review; the wait is explicit (it outlasts the suite) rather than the 24 h default.
    decide('review', lowRisk, {
      model: MODEL,
      thresholds: { decline: 1, review: 0 },
      review: { timeoutMs: 600_000, onTimeout: 'approve' },
    }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await connection?.close();
  await (await db?.catch(() => undefined))?.close();
  await (await server?.catch(() => undefined))?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Workflow ids a visibility query returns, sorted. */
async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.temporal.workflow.list({ query })) ids.push(wf.workflowId);
  return ids.sort();
}

/** Polls a query until `done` says so or the time is up (visibility is eventually consistent). */
async function listUntil(query: string, done: (ids: string[]) => boolean, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let ids = await listIds(query);
  while (!done(ids) && Date.now() < deadline) {
    await sleep(200);
    ids = await listIds(query);
  }
  return ids;
}

/** A fresh headless Chromium profile (closed in afterAll). */
async function openPage(): Promise<Page> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with 'apt-get install chromium' (Debian/Ubuntu)`);
  }
  const profile = await mkdtemp(join(dataDir, 'chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1600, height: 1000 },
  });
  return browser.pages()[0] ?? browser.newPage();
}

describe('decisions in the Temporal UI', () => {
  it('decided the cases as the thresholds say', () => {
    const outcomes = Object.fromEntries(Object.entries(decided).map(([role, d]) => [role, d.outcome]));
    expect(outcomes).toEqual({ declineHigh: 'decline', declineLow: 'decline', approve: 'approve', review: 'review' });
  });

  it.each<[string, Role[]]>([
    ['DecisionOutcome = "decline"', ['declineHigh', 'declineLow']],
    ['DecisionOutcome = "approve"', ['approve']],
    ['Pipeline = "adhoc"', ['declineHigh', 'declineLow', 'approve', 'review']],
    ['Score >= 0.8', ['declineHigh']],
    ['Degraded = false', ['declineHigh', 'declineLow', 'approve', 'review']],
    ['ReviewState = "pending"', ['review']],
  ])('lists exactly the decisions matching %s', async (query, roles) => {
    const expected = roles.map((r) => decided[r].workflowId).sort();
    expect(await listUntil(query, (ids) => ids.join() === expected.join())).toEqual(expected);
  });

  it('gives every decision and model call a static summary', async () => {
    const description = await client.temporal.workflow.getHandle(decided.declineLow.workflowId).describe();
    expect(await description.staticSummary()).toBe(`decide case decline-low-${run} · model ${MODEL}`);
    expect(await description.staticDetails()).toContain(`arbiter decisions show ${decided.declineLow.workflowId}`);

    await client.executeModel(MODEL, lowRisk.input);
    const [call] = await listUntil('WorkflowType = "pipelineWorkflow"', (ids) => ids.length > 0);
    const callDescription = await client.temporal.workflow.getHandle(call ?? 'none').describe();
    expect(await callDescription.staticSummary()).toBe(`call model ${MODEL}`);
  });

  it('shows the declined decisions for a query, and a decision summary on its page (headless Chromium)', async () => {
    const page = await openPage();
    const query = encodeURIComponent('DecisionOutcome = "decline"');
    const { workflowId } = decided.declineLow;
    try {
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows?query=${query}`);
      for (const role of ['declineHigh', 'declineLow'] as const) {
        await page.getByText(decided[role].workflowId).first().waitFor({ timeout: UI_TIMEOUT_MS });
      }
      // The list is rendered: the query filtered the others out.
      expect(await page.getByText(decided.approve.workflowId).count()).toBe(0);
      expect(await page.getByText(decided.review.workflowId).count()).toBe(0);
      // The list has no summary column (UI 2.54): the decision's User Metadata tab shows it.
      await page.getByRole('link', { name: workflowId }).click();
      await page.getByText('User Metadata', { exact: true }).click({ timeout: UI_TIMEOUT_MS });
      // Markdown is rendered in sandboxed iframes, one per field.
      const summary = `decide case decline-low-${run} · model ${MODEL}`;
      await page
        .frameLocator('#user-metadata-summary')
        .getByText(summary, { exact: true })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await page
        .frameLocator('#user-metadata-details')
        .getByText(`arbiter decisions show ${workflowId}`, { exact: true })
        .waitFor({ timeout: UI_TIMEOUT_MS });
    } catch (err) {
      const path = join(tmpdir(), `arbiter-temporal-ui-${Date.now()}.png`);
      await page.screenshot({ path, fullPage: true });
      throw new Error(`Temporal UI check failed at ${page.url()}; screenshot at ${path}`, { cause: err });
    }
  });
});
