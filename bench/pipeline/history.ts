import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
type Timestamp = proto.temporal.api.history.v1.IHistoryEvent['eventTime'];

function msOf(ts: Timestamp): number {
  const seconds = ts?.seconds;
  const s = typeof seconds === 'number' ? seconds : (seconds?.toNumber() ?? 0);
  return s * 1000 + (ts?.nanos ?? 0) / 1e6;
}

/** A workflow's first `limit` history events, each with its time in ms since the first event. */
export async function timeline(
  client: Client,
  workflowId: string,
  limit = 12,
): Promise<{ event: string; ms: number }[]> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const list = (events ?? []).slice(0, limit);
  const t0 = msOf(list[0]?.eventTime);
  return list.map((e) => ({
    event: (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, ''),
    ms: Math.round((msOf(e.eventTime) - t0) * 10) / 10,
  }));
}

/**
 * How long the first workflow task waited between scheduled and started: matching's hand-over when
 * the start went through the task queue, 0 when the server gave the task back with the start (eager).
 */
export function firstTaskWaitMs(events: { event: string; ms: number }[]): number | undefined {
  const scheduled = events.find((e) => e.event === 'WORKFLOW_TASK_SCHEDULED');
  const started = events.find((e) => e.event === 'WORKFLOW_TASK_STARTED');
  return scheduled && started ? Math.round((started.ms - scheduled.ms) * 10) / 10 : undefined;
}
