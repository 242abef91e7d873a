import { sleep } from '@temporalio/workflow';
import type { ModelCall, PinnedPipeline } from '../../core/pipeline/types';

/** Marks the promise that lost a race against the pipeline's deadline. */
export const DEADLINE = Symbol('deadline');

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
  private readonly deadlinePassed: Promise<typeof DEADLINE> | undefined;
  private callSeq = 0;

  constructor(
    readonly pinned: PinnedPipeline,
    readonly caseInput: Record<string, unknown>,
    /** Stable key for canary buckets (the decision id). */
    readonly decisionKey: string,
    /** Absolute workflow-time deadline, or undefined for no budget. */
    readonly deadline: number | undefined,
  ) {
    // One timer for the whole run, shared by every race against the budget.
    this.deadlinePassed =
      deadline === undefined
        ? undefined
        : sleep(Math.max(deadline - Date.now(), 0)).then(() => {
            this.expired = true;
            return DEADLINE;
          });
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
  async beforeDeadline<T>(promise: Promise<T>): Promise<T | typeof DEADLINE> {
    if (!this.deadlinePassed) return promise;
    return Promise.race([promise, this.deadlinePassed]);
  }

  get pastDeadline(): boolean {
    return this.deadline !== undefined && Date.now() >= this.deadline;
  }
}
