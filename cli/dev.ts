import { PROJECT_ROOT, type ArbiterEnv } from '../config/env';
import { tryHint } from './dev-hint';
import { launchedByNpm, npmStopHint } from './launcher';
import { installCliRuntime, untilInterrupted } from './runtime';
import { startStack, type Stack } from './stack/stack';

const say = (msg: string) => process.stderr.write(`${msg}\n`);

/** Prints where everything is, so a person can find it. */
export function printStackInfo(stack: Stack, env: ArbiterEnv): void {
  say('');
  say(`  Temporal:     ${stack.temporalAddress}${stack.embedded.temporal ? ' (embedded dev server)' : ''}`);
  if (stack.uiUrl) say(`  Temporal UI:  ${stack.uiUrl}/namespaces/default/workflows`);
  if (stack.codecEndpoint)
    say(`  Codec:        ${stack.codecEndpoint}  (payloads encrypted; temporal --codec-endpoint)`);
  say(`  Database:     ${stack.embedded.database ? `${stack.databaseUrl} (embedded PGlite)` : 'DATABASE_URL'}`);
  say(`  Task queue:   ${env.ARBITER_TASK_QUEUE}`);
  say(`  Data dir:     ${env.ARBITER_DATA_DIR}`);
  say('');
}

/** `arbiter dev`: the embedded stack until Ctrl-C. */
export async function runDev(env: ArbiterEnv): Promise<void> {
  installCliRuntime();
  const stack = await startStack(env, say);
  printStackInfo(stack, env);
  const pipelines = (await stack.models.pipelines.list()).map((p) => p.name);
  say(`Serving. ${tryHint(pipelines, PROJECT_ROOT)}   (Ctrl-C to stop)`);
  if (launchedByNpm()) say(`(${npmStopHint()})`);
  await untilInterrupted();
  say('stopping...');
  await stack.stop();
}
