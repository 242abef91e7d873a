import { setTimeout as sleep } from 'node:timers/promises';
import { ActivityFailure, ApplicationFailure, WorkflowNotFoundError, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Pool } from 'pg';

/** A workflow's status name as Temporal describes it, `NOT_FOUND`, or `UNKNOWN` when describe kept failing. */
export type Status = string;

/** Describes every id (16 at a time); ids whose describe failed come back `UNKNOWN`. */
export async function statusesOf(temporal: Client, ids: string[]): Promise<Map<string, Status>> {
  const out = new Map<string, Status>();
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      try {
        out.set(id, (await temporal.workflow.getHandle(id).describe()).status.name);
      } catch (err) {
        out.set(id, err instanceof WorkflowNotFoundError ? 'NOT_FOUND' : 'UNKNOWN');
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return out;
}

/** Waits until no workflow of `ids` is running (or `timeoutMs`), looking every 5 s; the last statuses. */
export async function drain(
  temporal: Client,
  ids: string[],
  timeoutMs: number,
  log: (msg: string) => void,
): Promise<Map<string, Status>> {
  const statuses = new Map<string, Status>();
  let open = ids;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const [id, s] of await statusesOf(temporal, open)) statuses.set(id, s);
    open = open.filter((id) => ['RUNNING', 'UNKNOWN'].includes(statuses.get(id) ?? 'UNKNOWN'));
    if (open.length === 0 || Date.now() > deadline) return statuses;
    log(`draining: ${open.length} still running`);
    await sleep(Math.min(5000, Math.max(0, deadline - Date.now())));
  }
}

/** Decision-log rows per case id, read straight from PostgreSQL. */
export async function rowsPerCase(db: Pool, caseIds: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ case_id: string; n: number }>(
    'SELECT case_id, count(*)::int AS n FROM decisions WHERE case_id = ANY($1) GROUP BY case_id',
    [caseIds],
  );
  return new Map(rows.map((r) => [r.case_id, r.n]));
}

export type Verdict = 'decidedOnce' | 'duplicates' | 'stuck' | 'failed' | 'lost';

/** One case's verdict, and the finer reason when it is not the plain one. */
export function verdictOf(rows: number, status: Status): { verdict: Verdict; why?: string } {
  if (rows > 1) return { verdict: 'duplicates', why: `${rows} rows` };
  if (status === 'RUNNING') return { verdict: 'stuck', why: rows === 1 ? 'running, row written' : 'running, no row' };
  if (status === 'UNKNOWN') return { verdict: 'stuck', why: 'Temporal never described it' };
  if (['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELED', 'CANCELLED'].includes(status))
    return { verdict: 'failed', why: `workflow ${status.toLowerCase()}, ${rows === 1 ? 'row written' : 'no row'}` };
  if (status === 'COMPLETED' && rows === 1) return { verdict: 'decidedOnce' };
  if (status === 'COMPLETED') return { verdict: 'lost', why: 'completed workflow without a decision row' };
  if (rows === 1) return { verdict: 'lost', why: `decision row but workflow ${status.toLowerCase()}` };
  return { verdict: 'lost', why: 'no workflow and no row' };
}

/** How a failed workflow failed: the failure chain, one link per cause (activity type, failure type, message). */
export async function failurePath(temporal: Client, id: string): Promise<string> {
  try {
    await temporal.workflow.getHandle(id).result();
    return 'completed after all';
  } catch (err) {
    const links: string[] = [];
    for (let e: unknown = (err as Error).cause ?? err; e instanceof Error && links.length < 5; e = e.cause) {
      if (e instanceof ActivityFailure) links.push(`activity ${e.activityType}`);
      else if (e instanceof ApplicationFailure) links.push(`${e.type ?? 'Error'}: ${e.message.slice(0, 140)}`);
      else links.push(`${e.name}: ${e.message.slice(0, 140)}`);
    }
    return links.join(' ← ') || String(err);
  }
}

/** Why a workflow is still running: a failing workflow task (e.g. nondeterminism), a retrying activity, or a wait. */
export async function stuckPath(temporal: Client, id: string): Promise<string> {
  try {
    const handle = temporal.workflow.getHandle(id);
    const desc = await handle.describe();
    const pending = desc.raw.pendingActivities ?? [];
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const lastTaskFailure = [...events].reverse().find((e) => e.workflowTaskFailedEventAttributes);
    const last = events[events.length - 1];
    if (lastTaskFailure) {
      const f = lastTaskFailure.workflowTaskFailedEventAttributes?.failure;
      return `workflow task failing: ${(f?.message ?? 'no message').slice(0, 200)}`;
    }
    if (pending.length > 0) {
      const a = pending[0];
      return `pending activity ${a?.activityType?.name} (attempt ${a?.attempt}): ${a?.lastFailure?.message?.slice(0, 140) ?? 'no failure yet'}`;
    }
    const type = last?.eventType ? proto.temporal.api.enums.v1.EventType[last.eventType] : '?';
    return `waiting; last event ${type} (${events.length} events)`;
  } catch (err) {
    return `could not read: ${err instanceof Error ? err.message : String(err)}`;
  }
}
