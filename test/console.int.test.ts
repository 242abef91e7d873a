import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { storesFromPool } from '../api/deps';
import { startApiServer, type ApiServer } from '../api/server';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import type { ApiKey } from '../config/api-keys';
import { PROJECT_ROOT } from '../config/env';
import type { DecisionResult } from '../core/decision';
import { MODELS_DIR } from './helpers/models';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';

// Debian's package; integration tests never skip: without it this test fails, in CI and locally.
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(PROJECT_ROOT, 'test', 'artifacts', 'console');
const UI_TIMEOUT_MS = 20_000;
const KEYS: ApiKey[] = [
  { name: 'rita', roles: ['review', 'read'], secret: 'rita-review-key-0001' },
  { name: 'reed', roles: ['read'], secret: 'reed-read-key-000001' },
];
const [RITA, REED] = KEYS as [ApiKey, ApiKey];
const run = randomBytes(3).toString('hex');
// A review band from 0: every case waits for a person, for ten minutes.
const toReview = {
  model: 'phishing-gb:champion',
  thresholds: { decline: 1, review: 0 },
  review: { timeoutMs: 600_000 },
};

let suite: TestOrchestrator;
let stores: ReturnType<typeof storesFromPool>;
let server: ApiServer;
let browser: BrowserContext | undefined;
let profile: string;
let holdout: DemoCase[];
const waiting: DecisionResult[] = [];
let approved: DecisionResult;

beforeAll(async () => {
  [suite, holdout] = await Promise.all([startTestOrchestrator('console'), loadHoldout()]);
  stores = storesFromPool(suite.db.pool, MODELS_DIR);
  const app = createApp({
    client: suite.client,
    pool: suite.db.pool,
    ...stores,
    apiKeys: KEYS,
    temporalUi: 'http://temporal-ui.invalid',
  });
  server = await startApiServer({ fetch: app.fetch, port: 0, host: '127.0.0.1' });
  // Oldest first: decided one after another, so the queue's order is this one.
  for (const [i, c] of holdout.slice(0, 3).entries())
    waiting.push(await suite.client.decide({ caseId: `console-${run}-${i}`, input: c.input }, toReview));
  approved = await suite.client.decide(
    { caseId: `console-${run}-auto`, input: holdout[3]?.input },
    { model: 'phishing-gb:champion', thresholds: { decline: 1, review: 1 } },
  );
  await mkdir(ARTIFACTS, { recursive: true });
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with 'apt-get install chromium'`);
  profile = await mkdtemp(join(tmpdir(), 'arbiter-console-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 1400, height: 1000 },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stores?.close();
  await suite?.stop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** Runs `fn` on a fresh page; on failure keeps a screenshot beside the others and says where. */
async function onPage(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
  const page = await (browser as BrowserContext).newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    await fn(page);
    expect(errors).toEqual([]);
  } catch (err) {
    const path = join(ARTIFACTS, `${name}-failed.png`);
    await page.screenshot({ path, fullPage: true });
    throw new Error(`console check '${name}' failed at ${page.url()}; screenshot at ${path}`, { cause: err });
  } finally {
    await page.close();
  }
}

async function signIn(page: Page, key: ApiKey): Promise<void> {
  await page.goto(`${server.url}/`);
  // Keyboard only: the key field has focus on arrival.
  await page.getByLabel('API key').waitFor();
  expect(await page.evaluate('document.activeElement?.id')).toBe('api-key');
  await page.keyboard.type(key.secret);
  await page.keyboard.press('Enter');
  await page.getByText(`Signed in as ${key.name}`).waitFor();
}

const row = (page: Page, id: string) => page.locator(`tr[data-decision="${id}"]`);

describe('the console', () => {
  it('reviews a case with the keyboard alone: queue, case, approve, gone from the queue, final outcome shown', async () => {
    const [first, second, third] = waiting as [DecisionResult, DecisionResult, DecisionResult];
    await onPage('review', async (page) => {
      await signIn(page, RITA);
      await page.getByRole('heading', { name: 'Review queue' }).waitFor();
      await row(page, third.decisionId).waitFor();
      const rows = page.locator('tbody tr');
      const order: (string | null)[] = [];
      for (let n = 0; n < (await rows.count()); n++) order.push(await rows.nth(n).getAttribute('data-decision'));
      expect(order.filter((id) => waiting.some((w) => w.decisionId === id))).toEqual(waiting.map((w) => w.decisionId));
      await expect.poll(() => row(page, first.decisionId).innerText()).toMatch(/then review/);
      await page.screenshot({ path: join(ARTIFACTS, '1-queue.png'), fullPage: true });

      // j selects the oldest, Enter opens it.
      await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: `Case ${first.caseId}` }).waitFor();
      await page.getByText('Waiting for review.').waitFor();
      await page.getByText('phishing-gb@').first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS, '2-case.png'), fullPage: true });

      await page.keyboard.press('n');
      await page.keyboard.type('checked the domain');
      await page.keyboard.press('Escape');
      await page.keyboard.press('a');
      const state = page.locator('#review-state');
      await state.getByText(/Reviewed: approved by rita/).waitFor();
      await expect.poll(() => state.innerText()).toMatch(/checked the domain.*Final outcome approve/s);
      await page.screenshot({ path: join(ARTIFACTS, '3-approved.png'), fullPage: true });

      await page.keyboard.press('q');
      await row(page, second.decisionId).waitFor();
      expect(await row(page, first.decisionId).count()).toBe(0);
    });
    // The log holds the verdict under the key's name.
    const audit = await stores.decisions.get(first.decisionId);
    expect(audit?.review).toMatchObject({ state: 'approved', reviewer: 'rita', note: 'checked the domain' });
  });

  it('says a reviewed case is already reviewed, and shows a read-only key no buttons', async () => {
    const [first, , third] = waiting as [DecisionResult, DecisionResult, DecisionResult];
    await onPage('read-only', async (page) => {
      await signIn(page, REED);
      await page.goto(`${server.url}/#/case/${first.decisionId}`);
      await page.getByText(/Already reviewed: approved by rita/).waitFor();
      await page.goto(`${server.url}/#/case/${third.decisionId}`);
      await page.getByText("Your key 'reed' lacks the 'review' role").waitFor();
      expect(await page.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    });
  });

  it('filters the decision browser and links each decision to its workflow', async () => {
    const [first, second] = waiting as [DecisionResult, DecisionResult];
    await onPage('browser', async (page) => {
      await signIn(page, RITA);
      await page.getByRole('link', { name: 'Decisions' }).click();
      await row(page, approved.decisionId).waitFor();
      await page.locator('select[name=review]').selectOption('approved');
      await page.getByRole('button', { name: 'Search' }).click();
      await row(page, first.decisionId).waitFor();
      await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
      expect(await row(page, approved.decisionId).count()).toBe(0);
      const link = row(page, first.decisionId).getByRole('link', { name: /workflow/ });
      expect(await link.getAttribute('href')).toBe(
        `http://temporal-ui.invalid/namespaces/default/workflows/${first.decisionId}`,
      );
      await page.screenshot({ path: join(ARTIFACTS, '4-browser.png'), fullPage: true });

      await page.locator('select[name=review]').selectOption('pending');
      await page.getByRole('button', { name: 'Search' }).click();
      await row(page, second.decisionId).waitFor();
      expect(await row(page, first.decisionId).count()).toBe(0);
    });
  });

  it('draws the dashboard from the activity endpoint', async () => {
    await onPage('dashboard', async (page) => {
      await signIn(page, RITA);
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByText('waiting for review').waitFor();
      await page.locator('canvas').first().waitFor();
      await page
        .getByRole('cell', { name: /^phishing-gb@/ })
        .first()
        .waitFor();
      await page.screenshot({ path: join(ARTIFACTS, '5-dashboard.png'), fullPage: true });
    });
  });
});
