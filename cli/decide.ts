import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { CaseValidationError } from '../client/errors';
import { checkCaseLimits } from '../core/case-limits';
import { decisionView } from '../core/decision-view';
import { caseLimitsOf, type ArbiterEnv } from '../config/env';
import { withArbiter } from './stack/attach';

export interface DecideCliOptions {
  pipeline: string;
  model?: string;
  rules?: string;
  input?: string;
  inputFile?: string;
  json: boolean;
}

async function readRequest(opts: DecideCliOptions): Promise<unknown> {
  if ((opts.input === undefined) === (opts.inputFile === undefined)) {
    throw new Error('give exactly one of --input JSON or --input-file FILE');
  }
  const text = opts.input ?? (await readFile(opts.inputFile as string, 'utf8'));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`the case is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** `arbiter decide`: one case through a running stack (TEMPORAL_ADDRESS, else the embedded port). */
export async function runDecide(env: ArbiterEnv, opts: DecideCliOptions): Promise<void> {
  const request = await readRequest(opts);
  // The client refuses it too; checking first spares starting an embedded stack for a case it would refuse.
  const refused = checkCaseLimits(request, caseLimitsOf(env));
  if (refused.length > 0) throw new CaseValidationError(refused, '');
  await withArbiter(env, async (client) => {
    const started = performance.now();
    const result = await client.decide(request, { pipeline: opts.pipeline, model: opts.model, rules: opts.rules });
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(decisionView(result, latencyMs), null, 2)}\n`);
      return;
    }
    const flag = result.degraded ? ` — degraded${result.late.length ? `, late: ${result.late.join(', ')}` : ''}` : '';
    process.stdout.write(
      `${result.decisionId}: ${result.outcome} (score ${result.score.toFixed(3)}, ${result.pipeline.name}@${result.pipeline.version}${flag})\n`,
    );
    for (const reason of result.reasons) process.stdout.write(`  - ${reason}\n`);
    for (const s of result.similar ?? []) {
      const label = s.label ? `, confirmed ${s.label}` : '';
      process.stdout.write(`  ~ similar ${s.id} (${s.score.toFixed(3)}): ${s.outcome}${label}\n`);
    }
    process.stdout.write(`  answered in ${latencyMs} ms\n`);
  });
}
