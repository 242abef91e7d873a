// Every statement the decision log runs, in one place (STYLE rule 9).

export const INSERT_DECISION = `
INSERT INTO decisions (decision_id, case_id, pipeline, outcome, score, reasons, models, thresholds,
                       input, input_hash, workflow_id, run_id, decided_at, pipeline_version, degraded, late,
                       rule_set, rule_set_version, rules_matched, similar_cases, timings, latency_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
ON CONFLICT (decision_id) DO NOTHING`;

export const INSERT_REJECTION = `
INSERT INTO case_rejections (case_id, workflow_id, run_id, issues, input)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workflow_id, run_id) DO NOTHING`;

// `feedback`: the decision's feedback history, oldest first (the order FEEDBACK_HISTORY reads it in).
/** Every column of a decision row, its feedback history aggregated (DecisionRowSchema reads them). */
export const DECISION_COLUMNS = `decision_id, case_id, pipeline, pipeline_version, outcome, score, reasons, models, thresholds,
  input, input_hash, workflow_id, run_id, decided_at, recorded_at, degraded, late, review_state, final_outcome, reviewer,
  review_note, reviewed_at, rule_set, rule_set_version, rules_matched, similar_cases, timings, latency_ms,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('feedback_id', f.feedback_id, 'decision_id', f.decision_id,
                                                'label', f.label, 'source', f.source, 'note', f.note,
                                                'actor', f.actor, 'received_at', f.received_at) ORDER BY f.received_at, f.id)
            FROM decision_feedback f WHERE f.decision_id = decisions.decision_id), '[]'::jsonb) AS feedback`;

export const SELECT_DECISION = `SELECT ${DECISION_COLUMNS} FROM decisions WHERE decision_id = $1`;

/** Newest first. $1 limit, $2 pipeline name: null for every pipeline. */
export const LIST_DECISIONS = `
SELECT ${DECISION_COLUMNS} FROM decisions
WHERE ($2::text IS NULL OR pipeline = $2)
ORDER BY decided_at DESC, decision_id LIMIT $1`;

export const LIST_REJECTIONS = `
SELECT id, case_id, workflow_id, run_id, issues, input, rejected_at
FROM case_rejections WHERE ($1::text IS NULL OR case_id = $1) ORDER BY id DESC LIMIT $2`;

export const COUNT_DECISIONS = `SELECT count(*)::int AS n FROM decisions`;

/**
 * Inserts or settles a decision's model calls: `decisionId` and `calls` name the placeholders of the
 * decision id and of the calls (a JSON array), so that the statement stands alone and inside
 * INSERT_DECISION_WITH_CALLS without editing its text.
 */
function upsertModelCalls(decisionId: string, calls: string): string {
  return `
INSERT INTO model_calls (decision_id, call_id, step_id, model, version, arm, placement, status, late, output, error,
                         latency_ms)
SELECT ${decisionId}, x.call_id, x.step_id, x.model, x.version, x.arm, x.placement, x.status, x.late, x.output, x.error, x.latency_ms
FROM jsonb_to_recordset(${calls}::jsonb) AS x(call_id text, step_id text, model text, version int, arm text, placement text,
                                        status text, late boolean, output jsonb, error jsonb, latency_ms double precision)
ON CONFLICT (decision_id, call_id) DO UPDATE SET status = EXCLUDED.status, late = EXCLUDED.late,
  output = EXCLUDED.output, error = EXCLUDED.error, latency_ms = EXCLUDED.latency_ms
RETURNING call_id, (xmax = 0) AS inserted`;
}

/** One statement for a decision's calls: $1 the decision id, $2 a JSON array of rows. */
export const UPSERT_MODEL_CALLS = upsertModelCalls('$1', '$2');

/**
 * A decision and the model calls settled by then, in one statement (one round trip on the way to the
 * answer): $1–$22 as INSERT_DECISION, $23 the calls. Atomic, and as idempotent as the two: a retry
 * inserts nothing new and reports which calls it inserted (none).
 */
export const INSERT_DECISION_WITH_CALLS = `
WITH decision AS (${INSERT_DECISION.trim()}
RETURNING 1
), calls AS (${upsertModelCalls('$1::text', '$23').trim()}
)
SELECT (SELECT count(*)::int FROM decision) AS decision_inserted,
       COALESCE((SELECT jsonb_agg(call_id) FROM calls WHERE inserted), '[]'::jsonb) AS inserted_calls`;

export const SELECT_MODEL_CALLS = `
SELECT call_id, step_id, model, version, arm, placement, status, late, output, error, latency_ms
FROM model_calls WHERE decision_id = $1 ORDER BY call_id`;

export const UPDATE_REVIEW = `
UPDATE decisions SET review_state = $2, final_outcome = $3, reviewer = $4, review_note = $5, reviewed_at = $6
WHERE decision_id = $1`;

// The monitoring backlog (read at each scrape): decisions waiting for a person, and batches by status.
export const REVIEW_BACKLOG = `
SELECT count(*)::int AS pending,
       COALESCE(EXTRACT(EPOCH FROM now() - min(decided_at)), 0)::float8 AS oldest_age_s
FROM decisions WHERE outcome = 'review' AND (review_state IS NULL OR review_state = 'pending')`;

export const BATCHES_BY_STATUS = `SELECT status, count(*)::int AS n FROM batches GROUP BY status`;
