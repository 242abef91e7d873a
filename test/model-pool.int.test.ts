import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelinesAdmin } from '../admin/pipelines';
import { registerModel } from '../admin/registration';
import { modelTaskQueue } from '../core/pipeline/types';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';
import { serviceModel, startScoringService, type ScoringService } from './helpers/scoring-service';

// The embedded model pool (`arbiter dev`'s) on a real dev server, following a real registry.
let suite: TestOrchestrator;
let service: ScoringService;
const logged: string[] = [];

beforeAll(async () => {
  [suite, service] = await Promise.all([
    startTestOrchestrator('pools', { modelPool: true, log: (msg) => logged.push(msg) }),
    startScoringService(),
  ]);
}, 180_000);

afterAll(async () => {
  await suite?.stop();
  await service?.close();
});

describe('the embedded model pool', () => {
  it('serves a model registered after it started, and says so', async () => {
    const pool = suite.runtime.modelPool;
    const name = `late-${randomBytes(4).toString('hex')}`;
    expect(pool?.served()).toContain('phishing-gb');
    expect(pool?.served()).not.toContain(name);

    const { registry, runtime, pipelines } = suite.runtime.models;
    await registerModel(registry, runtime, serviceModel(service, name, '/score/0.6/5'), { aliases: ['champion'] });
    // Picked up by the pool's next look at the registry generation (the test's timeout bounds the wait).
    while (!pool?.served().includes(name)) await sleep(100);
    expect(logged).toContain(`model pool now serves ${name} (task queue ${modelTaskQueue(name)})`);

    const { pipeline } = await new PipelinesAdmin(pipelines, registry).apply({
      name: `remote-${name}`,
      steps: [{ id: 'a', type: 'model', model: name, placement: 'remote' }],
      output: 'a',
    });
    const handle = await suite.env.client.workflow.start('pipelineWorkflow', {
      taskQueue: suite.taskQueue,
      workflowId: `pools-${name}`,
      args: [{ pipeline: pipeline.name, input: {} }],
    });
    const result = (await handle.result()) as { score: number; calls: { placement: string; status: string }[] };
    expect(result.score).toBe(0.6);
    expect(result.calls).toEqual([expect.objectContaining({ placement: 'remote', status: 'ok' })]);
    const scheduled = (await handle.fetchHistory()).events?.find((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name).toBe(modelTaskQueue(name));
  });
});
