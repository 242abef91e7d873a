// Records the replay corpus's histories on a real dev server, with the real workflow bundle and
// scripted activities (their timing is the point), into test/replay/histories/:
//   npx tsx test/replay/record.ts [scenario ...]
// Each scenario checks that its history took the path its name says before saving it.
// ARBITER_HISTORY_LABEL=x saves `<scenario>.x.json`, beside the histories older code recorded.
import { answerSinks } from '../../workers/orchestrator';
import { randomBytes } from 'node:crypto';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { ArbiterClient } from '../../client';
import { modelTaskQueue } from '../../core/pipeline/types';
import { saveHistory } from '../helpers/histories';
import { bundleWorkflows, createTestTemporal } from '../helpers/temporal';
import { BUDGET_SCENARIOS } from './budget-scenarios';
import { DECISION_SCENARIOS } from './decision-scenarios';
import { OTHER_SCENARIOS } from './other-scenarios';
import type { Scenario } from './scenario';

const SCENARIOS: Record<string, Scenario> = { ...BUDGET_SCENARIOS, ...DECISION_SCENARIOS, ...OTHER_SCENARIOS };
const ATTEMPTS = 5;

type Env = Awaited<ReturnType<typeof createTestTemporal>>;
type Bundle = Awaited<ReturnType<typeof bundleWorkflows>>;

/** Runs a scenario until one attempt takes its path; that attempt's history. */
async function recordOne(env: Env, workflowBundle: Bundle, name: string, scenario: Scenario): Promise<History> {
  const taskQueue = `replay-${randomBytes(4).toString('hex')}`;
  const { nativeConnection: connection } = env;
  const { activities } = scenario;
  const orchestrator = await Worker.create({ connection, taskQueue, workflowBundle, activities, sinks: answerSinks() });
  const pools = await Promise.all(
    (scenario.pools ?? []).map((model) => Worker.create({ connection, taskQueue: modelTaskQueue(model), activities })),
  );
  const client = new ArbiterClient(env.client, { taskQueue });
  const attempts = async (): Promise<History> => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const id = `${name}-${randomBytes(3).toString('hex')}`;
      const ran = await scenario.run({ temporal: env.client, client, taskQueue, id });
      const history = await env.client.workflow.getHandle(ran.workflowId, ran.runId).fetchHistory();
      if (scenario.took(history, ran.outcome)) return history;
      const got = ran.outcome instanceof Error ? ran.outcome.message : JSON.stringify(ran.outcome)?.slice(0, 300);
      process.stderr.write(`${name}: attempt ${attempt} took another path (${got}), again\n`);
    }
    throw new Error(`${name}: no run took the intended path in ${ATTEMPTS} attempts`);
  };
  // Every pool worker runs for as long as the orchestrator does.
  const run = pools.reduce<() => Promise<History>>(
    (inner, pool) => () => pool.runUntil(inner()),
    () => orchestrator.runUntil(attempts()),
  );
  return run();
}

async function record(names: string[]): Promise<void> {
  const env = await createTestTemporal();
  const workflowBundle = await bundleWorkflows();
  try {
    for (const name of names) {
      const scenario = SCENARIOS[name];
      if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
      const history = await recordOne(env, workflowBundle, name, scenario);
      const label = process.env.ARBITER_HISTORY_LABEL;
      process.stdout.write(`${await saveHistory(label ? `${name}.${label}` : name, history)}\n`);
    }
  } finally {
    await env.teardown();
  }
}

const wanted = process.argv.slice(2);
await record(wanted.length > 0 ? wanted : Object.keys(SCENARIOS));
