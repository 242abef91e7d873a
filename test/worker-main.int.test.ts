import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterClient } from '../client';
import { loadHoldout } from '../cli/demo-cases';
import { PROJECT_ROOT } from '../config/env';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createTestTemporal } from './helpers/temporal';

// The standalone worker process (the Docker image's command) against a server that has never
// heard of Arbiter: it must migrate the database, register the search attributes and serve.
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let worker: ChildProcess;
let output = '';
const taskQueue = `standalone-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  [env, db] = await Promise.all([createTestTemporal({ registerSearchAttributes: false }), createTestDatabase()]);
  worker = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'workers', 'main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: env.address,
      ARBITER_TASK_QUEUE: taskQueue,
      ARBITER_REGISTER_CARDS: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  worker.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 600 && !output.includes('worker running'); i++) {
    if (worker.exitCode !== null) throw new Error(`worker exited early:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await db?.close();
  await env?.teardown();
});

describe('standalone orchestrator worker (workers/main.ts)', () => {
  it('registers search attributes, decides, and stops cleanly on SIGTERM', async () => {
    expect(output).toContain('worker running');
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['DecisionOutcome', 'Pipeline', 'Score', 'Degraded', 'ReviewState']),
    );

    const [c] = await loadHoldout();
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

    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('worker stopped');
  });
});
