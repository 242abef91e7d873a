import type { DecisionResult } from './decision';

/**
 * A decision as people and programs outside Arbiter read it (`arbiter decide --json`, the HTTP API):
 * `id`, `outcome`, `score`, `reasons`, `models` (name, version, output, latencyMs), `similar`
 * (id, score, outcome), `degraded`, `latencyMs`, then the rest of the audit detail.
 * @param latencyMs the caller's own measure (request to answer); else the workflow's.
 */
export function decisionView(r: DecisionResult, latencyMs?: number) {
  return {
    id: r.decisionId,
    caseId: r.caseId,
    outcome: r.outcome,
    score: r.score,
    reasons: r.reasons,
    models: r.models.map((m) => ({
      name: m.model,
      version: m.version,
      output: m.output ?? (m.score === null ? null : { score: m.score }),
      latencyMs: m.latencyMs,
      step: m.step,
      arm: m.arm,
      status: m.status,
      late: m.late,
    })),
    similar: (r.similar ?? []).map((s) => ({
      id: s.id,
      score: s.score,
      outcome: s.outcome,
      ...(s.label ? { label: s.label } : {}),
      ...(s.caseId ? { caseId: s.caseId } : {}),
    })),
    degraded: r.degraded,
    latencyMs: latencyMs ?? r.latencyMs ?? null,
    late: r.late,
    pipeline: r.pipeline,
    ...(r.rules ? { rules: r.rules } : {}),
    ...(r.review ? { review: r.review } : {}),
    timings: r.timings ?? {},
    workflowId: r.workflowId,
    runId: r.runId,
    decidedAt: r.decidedAt,
  };
}
export type DecisionView = ReturnType<typeof decisionView>;
