// What a recorded history shows about the path it took: events, markers and the workflow's end.
import type { History } from '@temporalio/common/lib/proto-utils';
import proto from '@temporalio/proto';
import { DECISION_PATCH, SEARCH_IN_RECORD_PATCH } from '../../workflows/patches';

const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;
type Event = NonNullable<History['events']>[number];

export const events = (h: History): Event[] => h.events ?? [];
const has = (h: History, type: proto.temporal.api.enums.v1.EventType) => events(h).some((e) => e.eventType === type);
const indexOf = (h: History, test: (e: Event) => boolean) => events(h).findIndex(test);

/** The text of a marker's payloads (local activity results, patch ids). */
function markerText(e: Event): string {
  const details = e.markerRecordedEventAttributes?.details ?? {};
  return Object.values(details)
    .flatMap((p) => p.payloads ?? [])
    .map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))
    .join('\n');
}

/** A local activity of this type ran (its marker is in the history). */
export const ranLocally = (h: History, activityType: string) =>
  events(h).some(
    (e) =>
      e.markerRecordedEventAttributes?.markerName === 'core_local_activity' &&
      markerText(e).includes(`"${activityType}"`),
  );

export const patchMarked = (h: History, patchId: string) =>
  events(h).some(
    (e) => e.markerRecordedEventAttributes?.markerName === 'core_patch' && markerText(e).includes(patchId),
  );

/** A patch older than DECISION_PATCH was in force: its own marker, or a decision under a one-marker patch. */
export const patchInForce = (h: History, patchId: string) =>
  patchMarked(h, patchId) || patchMarked(h, DECISION_PATCH) || patchMarked(h, SEARCH_IN_RECORD_PATCH);

export const failedWith = (h: History, type: string) =>
  events(h).some((e) => e.workflowExecutionFailedEventAttributes?.failure?.applicationFailureInfo?.type === type);

export const completed = (h: History) => has(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
export const continuedAsNew = (h: History) => has(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
export const timerFired = (h: History) => has(h, EventType.EVENT_TYPE_TIMER_FIRED);

export const updateAccepted = (h: History, name: string) =>
  events(h).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name);

export const unhandledCommand = (h: History) =>
  events(h).some(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED &&
      e.workflowTaskFailedEventAttributes?.cause ===
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  );

/** A (remote) activity was scheduled on this task queue. */
export const scheduledOn = (h: History, taskQueue: string) =>
  events(h).some((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name === taskQueue);

/** The first timer fired before the first (remote) activity completed. */
export const timerBeforeActivityCompleted = (h: History) => {
  const fired = indexOf(h, (e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
  const done = indexOf(h, (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  return fired >= 0 && done >= 0 && fired < done;
};

/** A timer of at most 1 ms started: the latency budget was spent before the first member. */
export const budgetSpent = (h: History) =>
  events(h).some((e) => {
    const d = e.timerStartedEventAttributes?.startToFireTimeout;
    return d !== null && d !== undefined && Number(d.seconds ?? 0) === 0 && Number(d.nanos ?? 0) <= 1_000_000;
  });
