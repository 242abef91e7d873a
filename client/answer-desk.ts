import type { DecisionResult } from '../core/decision';

/** What a decision workflow in this process said: its decision, or that it failed (read the durable way). */
export type InProcessAnswer = { kind: 'decided'; decision: DecisionResult } | { kind: 'failed' } | { kind: 'none' };

/** One client's wait for one decision workflow's answer. */
export interface AnswerWait {
  /** The answer, or `none` after `ms` (the caller then asks the server). */
  within(ms: number): Promise<InProcessAnswer>;
  /** Stops waiting; a later answer for this id is dropped. */
  cancel(): void;
}

/**
 * Where a decision workflow running in this process leaves its answer for a client waiting in the
 * same process (the embedded stack: the client shares the worker's connection and starts decisions
 * eagerly). The worker's `answers` sink fills it (workers/orchestrator.ts); only waited-for ids are
 * kept, so answers for other clients' decisions cost nothing. A fast path only: the client falls
 * back to the decision update when nothing comes.
 */
export class AnswerDesk {
  private readonly waiting = new Map<string, Set<(answer: InProcessAnswer) => void>>();
  /** Answers handed to a waiting client so far. */
  handed = 0;

  /** Starts waiting for `workflowId`'s answer; call before the workflow starts. */
  expect(workflowId: string): AnswerWait {
    let settle: (answer: InProcessAnswer) => void = () => undefined;
    const answered = new Promise<InProcessAnswer>((resolve) => {
      settle = resolve;
    });
    const waits = this.waiting.get(workflowId) ?? new Set();
    waits.add(settle);
    this.waiting.set(workflowId, waits);
    const cancel = () => {
      waits.delete(settle);
      if (waits.size === 0 && this.waiting.get(workflowId) === waits) this.waiting.delete(workflowId);
    };
    return {
      cancel,
      async within(ms) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<InProcessAnswer>((resolve) => {
          timer = setTimeout(() => resolve({ kind: 'none' }), ms);
        });
        try {
          return await Promise.race([answered, timeout]);
        } finally {
          clearTimeout(timer);
          cancel();
        }
      },
    };
  }

  /** A decision workflow's answer (the worker's sink), to every wait for it; dropped when nobody here waits. */
  deliver(workflowId: string, answer: InProcessAnswer): void {
    const waits = this.waiting.get(workflowId);
    if (!waits) return;
    this.waiting.delete(workflowId);
    for (const settle of waits) {
      this.handed++;
      settle(answer);
    }
  }

  /** How many workflow ids are waited for (tests: none may leak). */
  get open(): number {
    return this.waiting.size;
  }
}
