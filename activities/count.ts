import { Failure } from '../core/failures';
import type { DecisionRecord } from '../core/records';
import type { ModelCall } from '../core/pipeline/types';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import type { WayIn } from '../core/workflow-input';

// Called only after an insert that wrote the row: whatever retries or replays, each decision and
// each model call is counted once, by the activity that committed it.

/** A decision just recorded: its outcome, latency (request → record), budget and late members. */
export function countDecision(
  metrics: ArbiterMetrics | undefined,
  record: Pick<DecisionRecord, 'pipeline' | 'outcome' | 'degraded' | 'late'>,
  via: WayIn,
  latencyMs: number | undefined,
): void {
  if (!metrics) return;
  const pipeline = record.pipeline.name;
  metrics.decisions.inc({ pipeline, outcome: record.outcome, degraded: String(record.degraded), via });
  if (latencyMs !== undefined && via !== 'batch') metrics.decisionDuration.observe({ pipeline, via }, latencyMs / 1000);
  // Started at 0 with the pipeline's first decision: "none yet" is a value, not a missing series.
  metrics.budgetExpirations.inc({ pipeline }, record.late.length > 0 ? 1 : 0);
  metrics.lateMembers.inc({ pipeline }, record.late.length);
}

/** Model calls written for the first time: by model@version, arm, placement and result (ok or the failure type). */
export function countModelCalls(metrics: ArbiterMetrics | undefined, calls: readonly ModelCall[]): void {
  if (!metrics) return;
  for (const c of calls) {
    const where = { model: c.model, version: c.version, arm: c.arm, placement: c.placement };
    const result = c.status === 'ok' ? 'ok' : (c.error?.type ?? Failure.Model.Failed);
    metrics.modelCalls.inc({ ...where, result, late: String(c.late) });
    if (c.latencyMs !== undefined) metrics.modelCallDuration.observe(where, c.latencyMs / 1000);
  }
}

/** The way in a workflow input names; one started by a raw Temporal client says nothing: `client`. */
export function wayIn(via: string | undefined): WayIn {
  return via === 'api' || via === 'kafka' || via === 'batch' ? via : 'client';
}
