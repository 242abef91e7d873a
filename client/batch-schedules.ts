import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';
import { z } from 'zod';
import { BatchWorkflowInputSchema, type BatchWorkflowInput } from '../core/batch/input';
import { batchIdOf, batchWorkflowId } from '../core/batch/schema';
import type { batchWorkflow } from '../workflows';
import { BatchScheduleError } from './batch-errors';

/** When a schedule starts a batch: a cron expression, or an interval such as `1h` / `30m`. */
export const BatchScheduleSpecSchema = z.union([
  z.object({ cron: z.string().min(1) }),
  z.object({ every: z.string().regex(/^\d+(s|m|h|d)$/, 'a number and a unit: 90s, 30m, 1h, 1d') }),
]);
export type BatchScheduleSpec = z.infer<typeof BatchScheduleSpecSchema>;

/** One batch a schedule started. */
export interface ScheduledRun {
  batchId: string;
  workflowId: string;
  takenAt?: string;
}

/** A batch schedule, as `list` and `describe` show it. */
export interface BatchScheduleView {
  name: string;
  /** `cron 0 * * * *` or `every 1h`, as it was created. */
  spec: string;
  paused: boolean;
  note: string | null;
  /** What each run decides (the action's workflow input); null when unreadable. */
  batch: Pick<BatchWorkflowInput, 'source' | 'pipeline' | 'rules' | 'chunkSize'> | null;
  nextRunsAt: string[];
  recent: ScheduledRun[];
  running: ScheduledRun[];
  actionsTaken: number;
}

/** Marks Arbiter's batch schedules among a namespace's others. */
const MEMO_KIND = 'arbiter-batch';

function specText(spec: BatchScheduleSpec): string {
  return 'cron' in spec ? `cron ${spec.cron}` : `every ${spec.every}`;
}

function run(workflowId: string, takenAt?: Date): ScheduledRun {
  return { batchId: batchIdOf(workflowId), workflowId, ...(takenAt ? { takenAt: takenAt.toISOString() } : {}) };
}

function viewOf(d: ScheduleDescription): BatchScheduleView {
  const input = BatchWorkflowInputSchema.safeParse(d.action.args?.[0]);
  return {
    name: d.scheduleId,
    spec: typeof d.memo?.spec === 'string' ? d.memo.spec : '?',
    paused: d.state.paused,
    note: d.state.note || null,
    batch: input.success
      ? {
          source: input.data.source,
          pipeline: input.data.pipeline,
          rules: input.data.rules,
          chunkSize: input.data.chunkSize,
        }
      : null,
    nextRunsAt: d.info.nextActionTimes.map((t) => t.toISOString()),
    recent: d.info.recentActions.map((a) => run(a.action.workflow.workflowId, a.takenAt)),
    running: d.info.runningActions.map((a) => run(a.workflow.workflowId)),
    actionsTaken: d.info.numActionsTaken,
  };
}

/**
 * Temporal Schedules that start batch workflows. Each run's workflow id is `batch-<name>-<action
 * time>` (the server appends the time), so its batch id is `<name>-<action time>`. A run due while
 * the last one still runs is skipped (overlap SKIP): two batches never race for the same cases.
 */
export class BatchSchedules {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  /**
   * Creates a schedule whose action starts `batchWorkflow` with `batch` (the pipeline is pinned when
   * each run starts). @throws BatchScheduleError when the name is taken
   */
  async create(
    name: string,
    spec: BatchScheduleSpec,
    batch: Omit<BatchWorkflowInput, 'batchId'>,
  ): Promise<BatchScheduleView> {
    const valid = BatchScheduleSpecSchema.parse(spec);
    const args = BatchWorkflowInputSchema.omit({ batchId: true }).parse(batch);
    try {
      const handle = await this.temporal.schedule.create<typeof batchWorkflow>({
        scheduleId: name,
        spec: 'cron' in valid ? { cronExpressions: [valid.cron] } : { intervals: [{ every: valid.every }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'batchWorkflow',
          workflowId: batchWorkflowId(name),
          taskQueue: this.taskQueue,
          args: [args],
          staticSummary: `scheduled batch ${name} · ${args.source.kind === 'file' ? args.source.path : 'pending_cases'} · pipeline ${args.pipeline}`,
        },
        policies: { overlap: 'SKIP' },
        memo: { kind: MEMO_KIND, spec: specText(valid) },
      });
      return viewOf(await handle.describe());
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new BatchScheduleError(name, 'exists', { cause: err });
      throw err;
    }
  }

  /** Every batch schedule (Temporal's schedule listing is eventually consistent: a new one may lag). */
  async list(): Promise<BatchScheduleView[]> {
    const names: string[] = [];
    for await (const s of this.temporal.schedule.list()) {
      if (s.memo?.kind === MEMO_KIND || s.action?.workflowType === 'batchWorkflow') names.push(s.scheduleId);
    }
    const views = await Promise.all(names.map((n) => this.describe(n).catch(() => undefined)));
    return views.filter((v): v is BatchScheduleView => v !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** @throws BatchScheduleError when there is no such schedule */
  describe(name: string): Promise<BatchScheduleView> {
    return this.with(name, async (h) => viewOf(await h.describe()));
  }

  /** Stops due runs (a trigger still starts one); `note` says why. */
  pause(name: string, note?: string): Promise<BatchScheduleView> {
    return this.with(name, async (h) => {
      await h.pause(note ?? 'paused with arbiter batch pause');
      return viewOf(await h.describe());
    });
  }

  /** Lets due runs start again. */
  unpause(name: string, note?: string): Promise<BatchScheduleView> {
    return this.with(name, async (h) => {
      await h.unpause(note ?? 'unpaused with arbiter batch unpause');
      return viewOf(await h.describe());
    });
  }

  /** Starts a run now (skipped, like a due one, while a run is still going). */
  trigger(name: string): Promise<void> {
    return this.with(name, (h) => h.trigger('SKIP'));
  }

  /** The run a trigger started: the first one after `actionsTaken` reached `before`. Waits up to `timeoutMs`. */
  async nextRun(name: string, before: number, timeoutMs = 30_000): Promise<ScheduledRun> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.describe(name);
      const latest = view.recent.at(-1);
      if (view.actionsTaken > before && latest) return latest;
      if (Date.now() > until) throw new Error(`schedule ${name} started no batch within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Deletes the schedule; the batches it started are kept. */
  delete(name: string): Promise<void> {
    return this.with(name, (h) => h.delete());
  }

  private async with<T>(name: string, fn: (h: ReturnType<Client['schedule']['getHandle']>) => Promise<T>): Promise<T> {
    try {
      return await fn(this.temporal.schedule.getHandle(name));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new BatchScheduleError(name, 'unknown', { cause: err });
      throw err;
    }
  }
}
