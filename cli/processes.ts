import type { Command } from 'commander';
import type { ArbiterEnv } from '../config/env';

interface HealthCliOptions {
  url?: string;
  timeout: number;
}

/**
 * Where `arbiter health` looks unless told: ARBITER_HEALTH_URL (the API sets it to its `/healthz`),
 * else `/metrics` on this process's metrics port (the worker's 9464 unless ARBITER_METRICS_PORT
 * says otherwise): served from the worker's first seconds until it has drained, so it answers
 * "is this process alive".
 */
export function defaultHealthUrl(env: Pick<ArbiterEnv, 'ARBITER_HEALTH_URL' | 'ARBITER_METRICS_PORT'>): string {
  return env.ARBITER_HEALTH_URL ?? `http://127.0.0.1:${env.ARBITER_METRICS_PORT || 9464}/metrics`;
}

/**
 * The long-running processes of a deployment under the one entry point the image has (`arbiter`):
 * `arbiter worker`, `arbiter model-pool`, and `arbiter health` for the image's HEALTHCHECK.
 * The process modules start when imported, so each action only imports one.
 */
export function addProcessCommands(program: Command): void {
  program
    .command('worker')
    .description('run the orchestrator worker (needs DATABASE_URL and TEMPORAL_ADDRESS; /metrics on 9464)')
    .action(async () => {
      await import('../workers/main');
    });
  program
    .command('model-pool')
    .description(
      "run a model-pool worker: remote models on their own task queues (ARBITER_POOL_MODELS, else the registry's)",
    )
    .action(async () => {
      await import('../workers/model-pool-main');
    });
  program
    .command('health')
    .description(
      "exit 0 when this container's process answers (ARBITER_HEALTH_URL, else /metrics on ARBITER_METRICS_PORT)",
    )
    .option('--url <url>', 'the URL to GET instead')
    .option('--timeout <ms>', 'how long to wait for the answer', (v) => Number(v), 3000)
    .action(async (opts: HealthCliOptions) => {
      const { loadEnv } = await import('../config/env');
      const url = opts.url ?? defaultHealthUrl(loadEnv());
      // Told here, not thrown: a failing healthcheck runs every 30 s and should not load the
      // error classifier's heavy modules to say one line.
      const fail = (why: string) => {
        process.stderr.write(`arbiter: health: ${url} ${why}\n`);
        process.exitCode = 1;
      };
      const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeout) }).catch((err: unknown) => {
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
        fail(`did not answer (${cause instanceof Error ? cause.message : String(cause)})`);
      });
      if (!res) return;
      if (!res.ok) return fail(`answered ${res.status}`);
      process.stdout.write(`healthy: ${url} answered ${res.status}\n`);
    });
}
