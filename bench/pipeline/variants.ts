import type { ArbiterClient } from '../../client';
import type { Stack } from '../../cli/stack/stack';
import type { DecisionResult } from '../../core/decision';
import type { PinnedModel } from '../../core/model-ref';
import type { floorWorkflow } from '../../workflows/floor';
import type { naiveFanoutWorkflow } from '../naive-workflow';
import type { FreshCases } from './fresh';
import type { CallOutcome } from './loops';
import { FLOOR_QUEUE, NAIVE_QUEUE } from './setup';

/** One call's outcome, with what the report reads beside latency. */
export interface Outcome extends CallOutcome {
  /** floor: whether the server handed the first workflow task straight back (eager start). */
  eager?: boolean;
  /** Arbiter: the `latencyMs` the decision reports, workflow start to decided by the workflow's clock. */
  reportedLatencyMs?: number;
}

/** A way of deciding one case; every call uses a fresh case id and input. */
export interface Variant {
  name: string;
  call(): Promise<Outcome>;
  /** Arbiter through the stack's client: decisions handed over in-process so far (the answer desk's count). */
  handedInProcess?: () => number;
}

/**
 * Temporal's floor: `members` no-op local activities in parallel, started eagerly unless told not
 * to; with `rounds` 2, one more no-op after them (`floor+record`: the least shape of a decision that
 * records itself after its models).
 */
export function floorVariant(
  stack: Pick<Stack, 'client'>,
  fresh: FreshCases,
  members = 4,
  eager = true,
  rounds = 1,
): Variant {
  return {
    name: `${rounds > 1 ? 'floor+record' : 'floor'}${eager ? '' : ' (not eager)'}`,
    async call() {
      const handle = await stack.client.temporal.workflow.start<typeof floorWorkflow>('floorWorkflow', {
        taskQueue: FLOOR_QUEUE,
        workflowId: fresh.next('floor').caseId,
        args: [members, rounds],
        requestEagerStart: eager,
      });
      await handle.result();
      return { degraded: false, eager: handle.eagerlyStarted };
    },
  };
}

/** What a decision must have been made with, checked on every answer (a wrong setup fails the run). */
type Shape = 'no-similarity-no-rules' | 'similarity-and-demo-rules';

/** The `arbiter` variant's options: its own pipeline, thresholds instead of rules, no similar cases. */
export const BARE = { pipeline: 'bench-fanout', shape: 'no-similarity-no-rules' } as const;
/** `arbiter-full`: what `arbiter decide --pipeline demo --rules demo` decides with: similar cases, rules, vector stored. */
export const FULL = { pipeline: 'demo', rules: 'demo', shape: 'similarity-and-demo-rules' } as const;

function checkShape(variant: string, shape: Shape, d: DecisionResult): void {
  const ok =
    shape === 'no-similarity-no-rules'
      ? d.similar === undefined && d.rules === undefined
      : d.similar !== undefined && d.rules?.name === 'demo';
  if (!ok) throw new Error(`${variant}: decision ${d.decisionId} was not made ${shape.replaceAll('-', ' ')}`);
}

/** `decide` through a stored pipeline; `rules` names a rule set, none means the thresholds. */
export function arbiterVariant(
  name: string,
  client: ArbiterClient,
  fresh: FreshCases,
  opts: { pipeline: string; rules?: string; shape: Shape },
  handedInProcess?: () => number,
): Variant {
  return {
    name,
    handedInProcess,
    async call() {
      const d = await client.decide(fresh.next(name), { pipeline: opts.pipeline, rules: opts.rules });
      checkShape(name, opts.shape, d);
      return { degraded: d.degraded, reportedLatencyMs: d.latencyMs };
    },
  };
}

/** The naive Temporal version: one regular activity per model, `workflow.execute`. */
export function naiveVariant(stack: Stack, fresh: FreshCases, models: PinnedModel[]): Variant {
  return {
    name: 'naive',
    async call() {
      const { caseId, input } = fresh.next('naive');
      await stack.client.temporal.workflow.execute<typeof naiveFanoutWorkflow>('naiveFanoutWorkflow', {
        taskQueue: NAIVE_QUEUE,
        workflowId: caseId,
        args: [models, input],
      });
      return { degraded: false };
    },
  };
}

/** The four adapters called in this process with Promise.all: no Temporal, no database. */
export async function inProcessVariant(stack: Stack, fresh: FreshCases, models: PinnedModel[]): Promise<Variant> {
  const adapters = await Promise.all(models.map((m) => stack.models.runtime.adapter(m.name, m.version)));
  return {
    name: 'in-process',
    async call() {
      const { input } = fresh.next('in-process');
      await Promise.all(adapters.map((a) => a.predict([input], { deadline: Date.now() + 5000 })));
      return { degraded: false };
    },
  };
}
