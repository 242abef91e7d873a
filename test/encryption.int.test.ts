import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { temporal } from '@temporalio/proto';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHoldout } from '../cli/demo-cases';
import { installCliRuntime } from '../cli/runtime';
import { freePort } from '../cli/stack/ports';
import { startStack, type Stack } from '../cli/stack/stack';
import { CaseValidationError } from '../client';
import { ENCRYPTED_ENCODING } from '../codec/encryption-codec';
import { loadEnv, PROJECT_ROOT } from '../config/env';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';

/**
 * The embedded stack with its default setup (no ARBITER_ENCRYPTION_KEYS): a decision's input is not
 * readable in Temporal's history without the key, and is through the codec endpoints.
 */
const run = randomBytes(4).toString('hex');
/** In a field name and value of a rejected case (the failure message names the field). */
const DISTINCT = `Zebra-Quasar-${run}`;
/** A decided case's features are numbers in [0, 1]: one of them, with digits found nowhere else. */
const DISTINCT_NUMBER = Number(`0.${parseInt(run, 16).toString().padStart(10, '1').slice(0, 9)}7`);
const API_KEY = `codec-test-${run}`;
const UI_ORIGIN = 'http://ui.example.test';
const BIN = join(PROJECT_ROOT, 'bin', 'arbiter.js');
const CHROMIUM = '/usr/bin/chromium';

let dataDir: string;
let stack: Stack;
let cliEnv: NodeJS.ProcessEnv;
/** The decided case (its input holds DISTINCT_NUMBER) and the rejected one (DISTINCT). */
let workflowId: string;
let rejectedId: string;
const secrets = () => [
  [workflowId, String(DISTINCT_NUMBER)],
  [rejectedId, DISTINCT],
];
let temporalCli: string;
let api: { child: ChildProcess; url: string; stderr: () => string } | undefined;
let browser: BrowserContext | undefined;

/** Every string in a JSON value, and what each decodes to as base64: where plaintext could hide. */
function readable(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v, Buffer.from(v, 'base64').toString('latin1'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join('\n');
}

async function workflowShow(id: string, ...extra: string[]): Promise<string> {
  const args = ['workflow', 'show', '-w', id, '--output', 'json', '--address', stack.temporalAddress, ...extra];
  return (await promisify(execFile)(temporalCli, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** The history's raw bytes, as a client without the codec receives them. */
async function rawHistory(id: string): Promise<Buffer> {
  const { history } = await stack.client.temporal.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: id },
  });
  return Buffer.from(temporal.api.history.v1.History.encode(history ?? {}).finish());
}

/** `arbiter api` attached to the running stack, as a user starts it in a second terminal. */
async function startApi(): Promise<NonNullable<typeof api>> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'api', '--port', String(port)], {
    env: { ...cliEnv, ARBITER_API_KEYS: API_KEY, ARBITER_CODEC_CORS_ORIGINS: UI_ORIGIN },
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  while (!stderr.includes('Arbiter API at') && child.exitCode === null) await sleep(200);
  if (child.exitCode !== null) throw new Error(`arbiter api exited ${child.exitCode}: ${stderr}`);
  return { child, url: `http://127.0.0.1:${port}`, stderr: () => stderr };
}

beforeAll(async () => {
  installCliRuntime();
  temporalCli = ensureTemporalCli();
  dataDir = await mkdtemp(join(tmpdir(), 'arbiter-encryption-'));
  const { ARBITER_ENCRYPTION_KEYS: _none, DATABASE_URL: _db, ...rest } = process.env;
  const ports = {
    ARBITER_PG_PORT: String(await freePort()),
    ARBITER_TEMPORAL_PORT: String(await freePort()),
    ARBITER_UI_PORT: String(await freePort()),
  };
  cliEnv = { ...rest, ...ports, ARBITER_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', NO_COLOR: '1' };
  stack = await startStack(loadEnv({ ...cliEnv, ARBITER_TASK_QUEUE: `encryption-${run}` }));
  cliEnv.ARBITER_TASK_QUEUE = `encryption-${run}`;
  const [first] = await loadHoldout();
  const decision = await stack.client.decide({
    caseId: `enc-${run}`,
    input: { ...first?.input, is_popular: DISTINCT_NUMBER },
  });
  workflowId = decision.workflowId;
  // A rejected case: its failure (message and details) is encrypted too.
  const badInput = { ...first?.input, [`applicant_${DISTINCT}`]: DISTINCT };
  const rejected = await stack.client.decide({ caseId: `enc-bad-${run}`, input: badInput }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(rejected).toBeInstanceOf(CaseValidationError);
  // Decoded for the client: the message (encrypted in the history) names the field.
  expect((rejected as Error).message).toContain(`input.applicant_${DISTINCT}: unknown field`);
  rejectedId = (rejected as CaseValidationError).workflowId;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  api?.child.kill('SIGKILL');
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('payload encryption on the embedded stack (default setup)', () => {
  it('keeps the input out of `temporal workflow show --output json`; the codec endpoint shows it', async () => {
    for (const [id = '', secret = ''] of secrets()) {
      const shown = await workflowShow(id);
      expect(shown).toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
      expect(readable(JSON.parse(shown))).not.toContain(secret);
      // Through the embedded UI's codec endpoint, the same command reads it: the check above could fail.
      const decoded = await workflowShow(id, '--codec-endpoint', stack.codecEndpoint ?? 'none');
      expect(readable(JSON.parse(decoded))).toContain(secret);
    }
  });

  it('keeps the input, failure messages included, out of the raw history a client without the key gets', async () => {
    for (const [id = '', secret = ''] of secrets()) expect((await rawHistory(id)).includes(secret)).toBe(false);
    const raw = (await rawHistory(rejectedId)).toString('latin1');
    expect(raw).toContain('Encoded failure');
  });
});

describe("arbiter api's codec endpoint (attached to the running stack)", () => {
  beforeAll(async () => void (api = await startApi()), 120_000);

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api?.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });
  const auth = { authorization: `Bearer ${API_KEY}` };
  type Payloads = { payloads: { metadata?: Record<string, string>; data?: string }[] };

  /** The start event's input payloads, as they are stored (encrypted). */
  async function storedInput(): Promise<Payloads> {
    const history = JSON.parse(await workflowShow(workflowId)) as {
      events: { workflowExecutionStartedEventAttributes?: { input?: Payloads } }[];
    };
    const input = history.events[0]?.workflowExecutionStartedEventAttributes?.input;
    if (!input) throw new Error('no start input');
    return input;
  }

  it('decodes the stored input for the CLI (`temporal --codec-endpoint --codec-auth`) and over HTTP', async () => {
    const viaCli = await workflowShow(
      workflowId,
      '--codec-endpoint',
      `${api?.url}/codec`,
      '--codec-auth',
      `Bearer ${API_KEY}`,
    );
    expect(readable(JSON.parse(viaCli))).toContain(String(DISTINCT_NUMBER));
    const stored = await storedInput();
    expect(readable(stored)).not.toContain(String(DISTINCT_NUMBER));
    const res = await post('/codec/decode', stored, auth);
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as Payloads;
    expect(Buffer.from(payloads[0]?.data ?? '', 'base64').toString()).toContain(String(DISTINCT_NUMBER));
  });

  it('round-trips encode → decode with the current key', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: btoa('"hello"') };
    const encoded = (await (await post('/codec/encode', { payloads: [plain] }, auth)).json()) as Payloads;
    expect(encoded.payloads[0]?.metadata?.encoding).toBe(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
    expect(Buffer.from(encoded.payloads[0]?.metadata?.['encryption-key-id'] ?? '', 'base64').toString()).toMatch(
      /^dev-/,
    );
    const decoded = (await (await post('/codec/decode', encoded, auth)).json()) as Payloads;
    expect(decoded.payloads).toEqual([plain]);
  });

  it('names an unknown key id in a 400 problem', async () => {
    const input = await storedInput();
    const [first] = input.payloads;
    const foreign = { ...first, metadata: { ...first?.metadata, 'encryption-key-id': btoa('retired-2019') } };
    const res = await post('/codec/decode', { payloads: [foreign] }, auth);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain("'retired-2019'");
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer not-the-key' }],
  ])('answers 401 with %s', async (_name, headers) => {
    expect((await post('/codec/decode', await storedInput(), headers)).status).toBe(401);
  });

  it("lets the UI's origin through CORS: preflight without a key, answers with the header", async () => {
    const preflight = await fetch(`${api?.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const other = await fetch(`${api?.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await post('/codec/decode', await storedInput(), { ...auth, origin: UI_ORIGIN });
    expect(answer.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  });
});

describe('the embedded Temporal UI (headless Chromium)', () => {
  it("shows the decisions' inputs decoded through the stack's codec endpoint", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
    const profile = await mkdtemp(join(dataDir, 'chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      viewport: { width: 1600, height: 1000 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    try {
      for (const [id = '', secret = ''] of secrets()) {
        await page.goto(`${stack.uiUrl}/namespaces/default/workflows/${id}`);
        await page.getByText(secret).first().waitFor({ timeout: 30_000 });
      }
    } catch (err) {
      const path = join(tmpdir(), `arbiter-encryption-ui-${Date.now()}.png`);
      await page.screenshot({ path, fullPage: true });
      throw new Error(`the UI did not show the decoded input at ${page.url()}; screenshot at ${path}`, { cause: err });
    }
  });
});
