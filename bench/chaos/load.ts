import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import type { ArbiterClient, DecideOptions } from '../../client';
import type { DemoCase } from '../../cli/demo-cases';

/** What the submitting side saw; the verdict comes from the log and Temporal afterwards, not from this. */
export interface LoadProgress {
  started: number;
  closed: number;
  /** Decisions whose workflow the client saw fail. */
  failedSeen: number;
  /** Decisions the client stopped waiting for (`waitTimeoutMs`); the drain looks at them again. */
  gaveUp: number;
  /** Start or wait calls that failed and were tried again (server down, connection reset). */
  retries: number;
  /** Start to close, ms, of the decisions seen to complete. */
  latencies: number[];
}

export interface LoadOptions {
  client: ArbiterClient;
  cases: DemoCase[];
  caseIds: string[];
  concurrency: number;
  decide: DecideOptions;
  /** How long one decision is waited for, start retries included. */
  waitTimeoutMs: number;
}

/**
 * Closed loop with `concurrency` lanes: each starts a decision (`startDecision`), then waits until
 * its workflow closes, retrying through a dev-server restart; gives up on one after `waitTimeoutMs`.
 */
export function runLoad(opts: LoadOptions): { progress: LoadProgress; done: Promise<void> } {
  const progress: LoadProgress = { started: 0, closed: 0, failedSeen: 0, gaveUp: 0, retries: 0, latencies: [] };
  let next = 0;
  const lane = async () => {
    while (next < opts.caseIds.length) {
      const i = next++;
      const caseId = opts.caseIds[i] as string;
      const input = (opts.cases[i % opts.cases.length] as DemoCase).input;
      const t0 = performance.now();
      const deadline = Date.now() + opts.waitTimeoutMs;
      const temporal = opts.client.temporal;
      // The deadline bounds every call too: a long poll for a stuck workflow would otherwise never return.
      const started = await retrying(deadline, progress, () =>
        temporal.withDeadline(deadline, () => opts.client.startDecision({ caseId, input }, opts.decide)),
      );
      if (!started) {
        progress.gaveUp++;
        continue;
      }
      progress.started++;
      const handle = temporal.workflow.getHandle(started.decisionId);
      const outcome = await retrying(deadline, progress, () =>
        temporal
          .withDeadline(deadline, () => handle.result())
          .then(
            () => 'completed' as const,
            (err: unknown) => {
              if (err instanceof WorkflowFailedError) return 'failed' as const;
              throw err;
            },
          ),
      );
      if (outcome === 'completed') progress.latencies.push(performance.now() - t0);
      if (outcome === 'failed') progress.failedSeen++;
      if (outcome === undefined) progress.gaveUp++;
      else progress.closed++;
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, lane)).then(() => undefined);
  return { progress, done };
}

/** Calls `fn` until it succeeds or `deadline` passes (then undefined); every failure counts as a retry. */
async function retrying<T>(deadline: number, progress: LoadProgress, fn: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      return await fn();
    } catch {
      progress.retries++;
      await sleep(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
    }
  }
  return undefined;
}
