import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { installCliRuntime } from '../cli/runtime';
import { freePort, PortBusyError } from '../cli/stack/ports';
import { startStack } from '../cli/stack/stack';
import { DatabaseUnreachableError } from '../stores/db';
import { loadEnv, PROJECT_ROOT, type ArbiterEnv } from '../config/env';

const BIN = join(PROJECT_ROOT, 'bin', 'arbiter.js');
let dataDir: string;
let env: ArbiterEnv;
let holdout: DemoCase[];

beforeAll(async () => {
  installCliRuntime();
  dataDir = await mkdtemp(join(tmpdir(), 'arbiter-stack-'));
  const [pg, temporal, ui] = [await freePort(), await freePort(), await freePort()];
  env = loadEnv({
    ...process.env,
    ARBITER_DATA_DIR: dataDir,
    ARBITER_PG_PORT: String(pg),
    ARBITER_TEMPORAL_PORT: String(temporal),
    ARBITER_UI_PORT: String(ui),
    ARBITER_TASK_QUEUE: 'stack-test',
    TEMPORAL_ADDRESS: '',
  });
  holdout = await loadHoldout();
});

afterAll(() => rm(dataDir, { recursive: true, force: true }));

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('embedded stack (arbiter dev)', () => {
  it('keeps decisions and workflow history across a restart on the same data dir', async () => {
    const caseId = `restart-${Date.now()}`;
    const first = await startStack(env);
    let decided;
    try {
      expect(first.uiUrl).toBe(`http://localhost:${env.ARBITER_UI_PORT}`);
      decided = await first.client.decide({ caseId, input: (holdout[0] as DemoCase).input });
    } finally {
      await first.stop();
    }
    const second = await startStack(env);
    try {
      expect((await second.store.getDecision(decided.decisionId))?.outcome).toBe(decided.outcome);
      const handle = second.client.temporal.workflow.getHandle(decided.workflowId);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      // The same case again is answered from the durable record, not decided twice.
      expect(await second.client.decide({ caseId, input: (holdout[0] as DemoCase).input })).toEqual(decided);
    } finally {
      await second.stop();
    }
  });

  it('registers the demo models with aliases, and `arbiter models` lists, promotes and shows them', async () => {
    const stack = await startStack(env);
    const cliEnv = { ...process.env, ARBITER_PG_PORT: String(env.ARBITER_PG_PORT), NO_COLOR: '1' };
    const run = async (group: string, args: string[]) => {
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, group, ...args], { env: cliEnv });
      return JSON.parse(stdout) as unknown;
    };
    const cli = (...args: string[]) => run('models', args);
    const pipelinesCli = (...args: string[]) => run('pipelines', args);
    try {
      const list = (await cli('list', '--json')) as { name: string; kind: string; aliases: Record<string, string> }[];
      const byName = Object.fromEntries(list.map((m) => [m.name, m]));
      expect(byName['phishing-gb']).toMatchObject({ kind: 'onnx', aliases: { champion: '1' } });
      expect(byName['phishing-lr']).toMatchObject({ kind: 'onnx', aliases: { challenger: '1' } });
      expect(byName['phishing-iforest']).toMatchObject({ kind: 'onnx' });
      expect(byName['phishing-tfjs']).toMatchObject({ kind: 'tfjs', aliases: { champion: '1' } });
      expect(byName['phishing-features']).toMatchObject({ kind: 'feature-embedder', aliases: { champion: '1' } });

      await cli('promote', 'phishing-lr@1', '--alias', 'shadow', '--reason', 'shadow the champion', '--json');
      const shown = (await cli('show', 'phishing-lr', '--json')) as {
        aliases: Record<string, string>;
        aliasHistory: { reason: string }[];
      };
      expect(shown.aliases).toEqual({ challenger: '1', shadow: '1' });
      expect(shown.aliasHistory.map((e) => e.reason)).toContain('shadow the champion');

      const pipelines = (await pipelinesCli('list', '--json')) as { name: string; version: string }[];
      expect(pipelines).toEqual([expect.objectContaining({ name: 'demo', version: '1' })]);
      const bad = join(dataDir, 'bad.yaml');
      await writeFile(bad, 'name: bad\nsteps:\n  - {id: a, type: model, model: "ghost:champion"}\noutput: b\n');
      const validation = await promisify(execFile)(process.execPath, [BIN, 'pipelines', 'validate', bad], {
        env: cliEnv,
      }).catch((e: { code: number; stdout: string }) => e);
      expect(validation).toMatchObject({ code: 1 });
      expect(validation.stdout).toContain('output: no step');
      expect(validation.stdout).toContain('steps.0.model: unknown model ghost:champion');

      // Another process's apply is pinned by this stack's very next decision (the embedded
      // database's registry watch, stores/embedded-pg.ts), though its worker pinned version 1 before.
      const spec = join(dataDir, 'watched.yaml');
      const steps = 'steps:\n  - {id: a, type: model, model: "phishing-lr:challenger"}\noutput: a\n';
      await writeFile(spec, `name: watched\n${steps}`);
      await pipelinesCli('apply', spec, '--json');
      const input = (holdout[0] as DemoCase).input;
      const first = await stack.client.decide({ caseId: `watched-1-${Date.now()}`, input }, { pipeline: 'watched' });
      await writeFile(spec, `name: watched\ndescription: the second version\n${steps}`);
      await pipelinesCli('apply', spec, '--json');
      const second = await stack.client.decide({ caseId: `watched-2-${Date.now()}`, input }, { pipeline: 'watched' });
      expect([first.pipeline.version, second.pipeline.version]).toEqual(['1', '2']);
    } finally {
      await stack.stop();
    }
  });

  it('`arbiter decisions` and `arbiter review` work against the running stack', async () => {
    const stack = await startStack(env);
    const cliEnv = {
      ...process.env,
      // The running stack's data dir: attached commands read its encryption key there.
      ARBITER_DATA_DIR: dataDir,
      ARBITER_PG_PORT: String(env.ARBITER_PG_PORT),
      ARBITER_TEMPORAL_PORT: String(env.ARBITER_TEMPORAL_PORT),
      ARBITER_TASK_QUEUE: env.ARBITER_TASK_QUEUE,
      NO_COLOR: '1',
    };
    const cli = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args, '--json'], { env: cliEnv });
      return JSON.parse(stdout) as unknown;
    };
    try {
      const caseId = `cli-review-${Date.now()}`;
      const decision = await stack.client.decide(
        { caseId, input: (holdout[0] as DemoCase).input },
        { thresholds: { decline: 1, review: 0 } },
      );
      expect(decision.outcome).toBe('review');
      let pending: { decisionId: string; score: number; topReasons: string[]; timeLeftMs?: number }[] = [];
      for (let i = 0; i < 50 && !pending.some((p) => p.decisionId === decision.decisionId); i++) {
        pending = (await cli('review', 'list')) as typeof pending;
      }
      // The same summary as GET /v1/reviews: score, top reasons, and the clock (24 h by default).
      const summary = pending.find((p) => p.decisionId === decision.decisionId);
      expect(summary).toMatchObject({
        score: decision.score,
        topReasons: decision.reasons.slice(0, 3),
        onTimeout: 'review',
      });
      expect(summary?.timeLeftMs).toBeGreaterThan(0);
      expect(
        await cli('review', 'decline', decision.decisionId, '--reviewer', 'dee', '--note', 'lookalike domain'),
      ).toMatchObject({
        state: 'declined',
        finalOutcome: 'decline',
      });
      const list = (await cli('decisions', 'list')) as { decisionId: string }[];
      expect(list.map((d) => d.decisionId)).toContain(decision.decisionId);
      const shown = (await cli('decisions', 'show', decision.decisionId)) as {
        review: { state: string };
        calls: unknown[];
      };
      expect(shown.review.state).toBe('declined');
      const { stdout: text } = await promisify(execFile)(
        process.execPath,
        [BIN, 'decisions', 'show', decision.decisionId],
        {
          env: cliEnv,
        },
      );
      expect(text).toMatch(/review: declined by dee at \S+ → decline: "lookalike domain"/);
      expect(shown.calls.length).toBeGreaterThanOrEqual(3);
    } finally {
      await stack.stop();
    }
  });

  it('refuses a busy port with a message naming the port and the variable to change', async () => {
    const blocker = await occupy(env.ARBITER_TEMPORAL_PORT);
    try {
      const err = await startStack(env).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortBusyError);
      expect((err as Error).message).toContain(`port ${env.ARBITER_TEMPORAL_PORT}`);
      expect((err as Error).message).toContain('ARBITER_TEMPORAL_PORT');
    } finally {
      blocker.close();
    }
    // Nothing was left running: the embedded database port is free again.
    const again = await occupy(env.ARBITER_PG_PORT);
    again.close();
  });

  it('reports an unreachable DATABASE_URL without starting anything', async () => {
    const port = await freePort();
    const url = `postgres://arbiter:secret@127.0.0.1:${port}/arbiter`;
    const err = await startStack({ ...env, DATABASE_URL: url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).not.toContain('secret');
  });
});
