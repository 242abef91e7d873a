import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterClient } from '../client';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { PROJECT_ROOT } from '../config/env';
import { SHUTDOWN_MARGIN_MS } from '../workers/signals';
import { pollUntil } from './helpers/api';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createTestTemporal } from './helpers/temporal';

// The standalone worker process (the Docker image's command) against a server that has never
// heard of Arbiter: it must migrate the database, register the search attributes and serve.
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let holdout: DemoCase[];
const GRACE_MS = 3_000;
// No latency budget: the demo pipeline's budget can make a restarted worker's replay diverge (issue 16, item 1).
const ONE_MODEL = { model: 'phishing-gb:champion' };
const workers: ChildProcess[] = [];
const taskQueue = `standalone-${randomBytes(4).toString('hex')}`;

interface RunningWorker {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startWorker(): Promise<RunningWorker> {
  // `arbiter worker`: the image's default command (Dockerfile), which runs workers/main.ts.
  const proc = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'arbiter.js'), 'worker'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: env.address,
      ARBITER_TASK_QUEUE: taskQueue,
      ARBITER_REGISTER_CARDS: 'true',
      ARBITER_SHUTDOWN_GRACE: `${GRACE_MS}ms`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(proc);
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  for (let i = 0; i < 600 && !output.includes('worker running'); i++) {
    if (proc.exitCode !== null) throw new Error(`worker exited early:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, output: () => output, exited };
}

beforeAll(async () => {
  [env, db, holdout] = await Promise.all([
    createTestTemporal({ registerSearchAttributes: false }),
    createTestDatabase(),
    loadHoldout(),
  ]);
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await db?.close();
  await env?.teardown();
});

describe('standalone orchestrator worker (workers/main.ts)', () => {
  it('registers search attributes, decides, and drains within the grace period on SIGTERM', async () => {
    const worker = await startWorker();
    expect(worker.output()).toContain('worker running');
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['DecisionOutcome', 'Pipeline', 'Score', 'Degraded', 'ReviewState']),
    );

    const [c] = holdout;
    const client = new ArbiterClient(env.client, { taskQueue });
    // One model, so the score is exactly scikit-learn's (the demo pipeline's canary would make it vary).
    const result = await client.decide(
      { caseId: `standalone-${randomBytes(3).toString('hex')}`, input: c?.input ?? {} },
      { model: 'phishing-gb:champion' },
    );
    expect(result.score).toBeCloseTo(c?.sklearnScore ?? -1, 5);
    // The worker migrated the database it was given (public schema) and recorded there.
    const rows = await db.pool.query('SELECT outcome FROM public.decisions WHERE decision_id = $1', [
      result.decisionId,
    ]);
    expect(rows.rows).toEqual([{ outcome: result.outcome }]);

    // SIGTERM while decisions are under way: the worker drains and exits 0 within the grace period.
    const busy = holdout
      .slice(0, 30)
      .map((h) =>
        client.startDecision({ caseId: `busy-${randomBytes(4).toString('hex')}`, input: h.input }, ONE_MODEL),
      );
    await Promise.all(busy);
    const killedAt = Date.now();
    worker.proc.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - killedAt).toBeLessThan(GRACE_MS + SHUTDOWN_MARGIN_MS);
    expect(worker.output()).toContain('worker stopped');
  });

  it('exits at once on a second signal, and the decisions it left are finished by the next worker', async () => {
    const worker = await startWorker();
    const client = new ArbiterClient(env.client, { taskQueue });
    const started = await Promise.all(
      holdout
        .slice(0, 10)
        .map((h) =>
          client.startDecision({ caseId: `left-${randomBytes(4).toString('hex')}`, input: h.input }, ONE_MODEL),
        ),
    );
    worker.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    const killedAt = Date.now();
    worker.proc.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit).toMatchObject({ code: 143 });
    expect(exit.at - killedAt).toBeLessThan(1_500);

    const next = await startWorker();
    // Decided, not necessarily closed: a `review` outcome then waits for a person.
    const statuses = await Promise.all(
      started.map((s) =>
        pollUntil(
          () => client.getDecision(s.decisionId).then((d) => d.status),
          (st) => st !== 'pending',
          40_000,
        ),
      ),
    );
    expect(statuses).toEqual(started.map(() => 'decided'));
    next.proc.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
  });
});
