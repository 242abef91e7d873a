import { sleep } from '@temporalio/workflow';
import type { ModelCall, PinnedPipeline } from '../../core/pipeline/types';
import { patchedBefore, underDecisionPatch } from '../patches';

/** Marks the promise that lost a race against the pipeline's deadline. */
export const DEADLINE = Symbol('deadline');

/** Runs started before this patch read the workflow clock mid-task for `pastDeadline`. */
const DEADLINE_FROM_TIMER_PATCH = 'pipeline-deadline-from-timer';

/**
 * Plain state of one pipeline run. Outputs are keyed by step id; `calls` is the audit trail;
 * `background` holds calls still running (late members, shadows) that the workflow waits for
 * after it has answered, so they are recorded too.
 */
export class RunState {
  readonly outputs: Record<string, Record<string, unknown>> = {};
  readonly calls: ModelCall[] = [];
  readonly background: Promise<unknown>[] = [];
  readonly notes: string[] = [];
  readonly late = new Set<string>();
  degraded = false;
  /** The budget's timer has fired: no new model calls start. */
  expired = false;
  /** Set once the result is taken: calls settling afterwards are late. */
  answered = false;
  /**
   * A decision under workflows/patches.ts's DECISION_PATCH: fewer promises on the way (no race
   * without a budget, no async step where nothing is awaited, simple switch conditions without
   * jsonata). The SDK captures a source-mapped stack for every promise a workflow makes; a run
   * before the patch keeps its promises, or its local activities would be scheduled in another
   * order on replay.
   */
  readonly lean = underDecisionPatch();
  private readonly deadlinePassed: Promise<typeof DEADLINE> | undefined;
  /** The budget was already spent when the pipeline began (pinning outlasted it). */
  private readonly spentAtStart: boolean;
  private readonly replaySafeDeadline: boolean;
  /** Starts the budget's timer on first use (see the constructor); undefined once started, or when eager. */
  private startTimer: (() => void) | undefined;
  private callSeq = 0;

  constructor(
    readonly pinned: PinnedPipeline,
    readonly caseInput: Record<string, unknown>,
    /** Stable key for canary buckets (the decision id). */
    readonly decisionKey: string,
    /** Absolute workflow-time deadline, or undefined for no budget. */
    readonly deadline: number | undefined,
    /** Calls made by earlier runs of this pipeline for the same decision: call ids go on from there. */
    callsBefore = 0,
  ) {
    this.callSeq = callsBefore;
    this.replaySafeDeadline = deadline !== undefined && patchedBefore(DEADLINE_FROM_TIMER_PATCH);
    // Read once, before any model call is scheduled: replay reaches this point at the same time.
    this.spentAtStart = deadline !== undefined && Date.now() >= deadline;
    if (deadline === undefined) {
      this.deadlinePassed = undefined;
    } else if (this.lean) {
      // A server timer only once a remote call starts. While only local calls run, the workflow task
      // stays open, so the timer could not fire before they end, and each of them is already cut at
      // the budget (calls.ts `local`): the timer would be a server timer task and a history event
      // per decision for nothing. A remote call's wait is what the budget's timer must be able to cut.
      let fire: (value: typeof DEADLINE) => void = () => undefined;
      this.deadlinePassed = new Promise((resolve) => (fire = resolve));
      this.startTimer = () => void this.timer(deadline).then(fire);
    } else {
      // One timer for the whole run, shared by every race against the budget.
      this.deadlinePassed = this.timer(deadline);
    }
  }

  private timer(deadline: number): Promise<typeof DEADLINE> {
    return sleep(Math.max(deadline - Date.now(), 0)).then(() => {
      this.expired = true;
      return DEADLINE;
    });
  }

  /** Before a remote call: the budget's timer must run from now on (a no-op when it already does). */
  armDeadline(): void {
    const start = this.startTimer;
    this.startTimer = undefined;
    start?.();
  }

  nextCallId(stepId: string): string {
    this.callSeq += 1;
    return `${stepId}#${this.callSeq}`;
  }

  /** What mapping and switch expressions see. */
  scope(): { case: Record<string, unknown>; steps: Record<string, Record<string, unknown>> } {
    return { case: this.caseInput, steps: this.outputs };
  }

  /** `promise`'s value, or DEADLINE if the budget runs out first (the promise keeps running). */
  beforeDeadline<T>(promise: Promise<T>): Promise<T | typeof DEADLINE> {
    return this.lean ? this.race(promise) : this.raceAsync(promise);
  }

  private race<T>(promise: Promise<T>): Promise<T | typeof DEADLINE> {
    return this.deadlinePassed ? Promise.race([promise, this.deadlinePassed]) : promise;
  }

  /** As before DECISION_PATCH: the same value a few microtasks later. */
  private async raceAsync<T>(promise: Promise<T>): Promise<T | typeof DEADLINE> {
    return this.race(promise);
  }

  /**
   * Whether the budget is spent, for decisions that change which calls a run makes. Not the clock:
   * workflow time moves to each local activity's completion time as its result is applied, and on
   * replay the results of local activities already running may be applied together, so a clock
   * read mid-task can land past the deadline where the original run read it before (a fallback
   * then skips a member it had called, the next local activities take the wrong markers, and
   * replay fails with a nondeterminism error). Replay-stable are only the budget spent before the
   * pipeline began and the deadline timer, which fires as a history event.
   */
  get pastDeadline(): boolean {
    if (this.deadline === undefined) return false;
    if (this.replaySafeDeadline) return this.spentAtStart || this.expired;
    return Date.now() >= this.deadline;
  }
}
