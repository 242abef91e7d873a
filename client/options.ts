import type { DecisionPinner } from '../core/workflow-input';
import type { AnswerDesk } from './answer-desk';
import type { Thresholds } from '../core/decision';
import type { CaseLimits } from '../core/case-limits';

/** How `ArbiterClient` is set up, and what each call takes and gives. */
export interface DecideOptions {
  /** Run a single model (`name:alias` or `name@version`) instead of a pipeline. */
  model?: string;
  /** @default { decline: 0.8, review: 0.4 } */
  thresholds?: Thresholds;
  /** @default 'demo' */
  pipeline?: string;
  /** A stored rule set (e.g. `demo`) deciding the outcome instead of the thresholds. */
  rules?: string;
  /** How a `review` outcome waits for a person. @default 24 h, then escalated */
  review?: { timeoutMs?: number; onTimeout?: 'approve' | 'decline' | 'review' };
  /**
   * `startDecision` only: ask for eager start, so that with a worker on this client's connection
   * (the embedded stack) the first workflow task goes straight to it instead of through the task
   * queue. Ignored on a connection of the client's own. (`decide` cannot start eagerly: eager start
   * does not combine with update-with-start, and an update sent right after an eager start was
   * refused as "workflow not found" by the 1.9 dev server.) @default false
   */
  eager?: boolean;
  /**
   * When the request was received, ms since the epoch by this host's clock: the decision's
   * `latencyMs` counts from here to the moment it is recorded, just before the answer leaves (by
   * the worker's clock: keep hosts' clocks in step). @default when `decide`/`startDecision` is called
   */
  receivedAt?: number;
  /** The way in, for the decision metrics (`arbiter_decisions_total{via}`). @default 'client' */
  via?: 'api' | 'client' | 'kafka';
}

/** What `executeModel` returns. */
export interface ModelExecution {
  model: string;
  /** The version the reference was pinned to. */
  version: string;
  output: Record<string, unknown>;
  latencyMs: number | null;
}

export interface ArbiterClientOptions {
  /** @default 'arbiter-orchestrator' */
  taskQueue?: string;
  /**
   * The case limits checked before any workflow starts (the decision workflow checks the same
   * ones again). Callers with an environment pass config/env.ts `caseLimitsOf(env)`.
   * @default { maxFields: 1000, maxBytes: 262144 }
   */
  caseLimits?: CaseLimits;
  /**
   * The desk this process's orchestrator worker hands decisions to (`startOrchestratorRuntime`'s
   * `answers`): with it and the worker's own connection, `decide` starts eagerly and takes the
   * answer in-process. @default none: every decision through the server (update-with-start)
   */
  answers?: AnswerDesk;
  /**
   * With `answers`: pins the pipeline and rule set before an in-process start, with the worker's
   * own pinning (`startOrchestratorRuntime`'s `pin`), so that the workflow skips that round. A pin
   * that fails leaves it to the workflow (which reports the failure). @default none
   */
  pin?: DecisionPinner;
}
