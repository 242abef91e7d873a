// A retried read of a chunk gets the rows its first attempt claimed.
export const SELECT_CLAIMED = `
SELECT case_id, input, enqueued_at FROM pending_cases WHERE claimed_by = $1 ORDER BY enqueued_at, case_id`;

export const CLAIM_PENDING = `
UPDATE pending_cases p SET claimed_by = $1, claimed_at = now()
FROM (SELECT case_id FROM pending_cases
      WHERE claimed_by IS NULL AND decided_at IS NULL AND (pipeline IS NULL OR pipeline = $2)
      ORDER BY enqueued_at, case_id LIMIT $3 FOR UPDATE SKIP LOCKED) c
WHERE p.case_id = c.case_id
RETURNING p.case_id, p.input, p.enqueued_at`;

export const COUNT_CLAIMABLE = `
SELECT count(*)::int AS n FROM pending_cases
WHERE claimed_by IS NULL AND decided_at IS NULL AND (pipeline IS NULL OR pipeline = $1)`;

export const ENQUEUE = `
INSERT INTO pending_cases (case_id, input, pipeline)
SELECT x.case_id, x.input, x.pipeline FROM jsonb_to_recordset($1::jsonb) AS x(case_id text, input jsonb, pipeline text)
ON CONFLICT (case_id) DO NOTHING`;

// $2 is the claim: only rows this chunk holds are marked.
export const MARK_PROCESSED = `
UPDATE pending_cases p SET decided_at = CASE WHEN x.decision_id IS NULL THEN NULL ELSE now() END,
  decision_id = x.decision_id, outcome = x.outcome, error = x.error
FROM jsonb_to_recordset($1::jsonb) AS x(case_id text, decision_id text, outcome text, error text)
WHERE p.case_id = x.case_id AND p.claimed_by = $2`;

// Many decisions in one statement: $1 is a JSON array of rows (the columns of INSERT_DECISION).
export const INSERT_DECISIONS = `
INSERT INTO decisions (decision_id, case_id, pipeline, outcome, score, reasons, models, thresholds,
                       input, input_hash, workflow_id, run_id, decided_at, pipeline_version, degraded, late,
                       rule_set, rule_set_version, rules_matched, similar_cases, timings, latency_ms)
SELECT x.decision_id, x.case_id, x.pipeline, x.outcome, x.score, x.reasons, x.models, x.thresholds, x.input,
       x.input_hash, x.workflow_id, x.run_id, x.decided_at, x.pipeline_version, x.degraded, x.late, x.rule_set,
       x.rule_set_version, x.rules_matched, x.similar_cases, x.timings, x.latency_ms
FROM jsonb_to_recordset($1::jsonb) AS x(decision_id text, case_id text, pipeline text, outcome text,
  score double precision, reasons jsonb, models jsonb, thresholds jsonb, input jsonb, input_hash text,
  workflow_id text, run_id text, decided_at timestamptz, pipeline_version int, degraded boolean, late jsonb,
  rule_set text, rule_set_version int, rules_matched jsonb, similar_cases jsonb, timings jsonb,
  latency_ms double precision)
ON CONFLICT (decision_id) DO NOTHING
RETURNING decision_id`;

export const INSERT_REJECTIONS = `
INSERT INTO batch_rejections (batch_id, ref, line, case_id, issues, input)
SELECT $1, x.ref, x.line, x.case_id, x.issues, x.input
FROM jsonb_to_recordset($2::jsonb) AS x(ref text, line int, case_id text, issues jsonb, input jsonb)
ON CONFLICT (batch_id, ref) DO NOTHING`;

export const INSERT_CHUNK = `
INSERT INTO batch_chunks (batch_id, chunk, run_id, cases, decided, rejected, failed, calls, timings)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (batch_id, chunk) DO NOTHING`;

// A re-run of a batch id starts its row afresh.
export const UPSERT_BATCH = `
INSERT INTO batches (batch_id, workflow_id, source, pipeline, pipeline_version, rule_set, status, total)
VALUES ($1, $2, $3, $4, $5, $6, 'running', $7)
ON CONFLICT (batch_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, source = EXCLUDED.source,
  pipeline = EXCLUDED.pipeline, pipeline_version = EXCLUDED.pipeline_version, rule_set = EXCLUDED.rule_set,
  status = 'running', total = EXCLUDED.total, counts = '{}', last_error = NULL, started_at = now(), finished_at = NULL`;

// Also for a batch that failed before it was opened (its row does not exist yet).
export const FINISH_BATCH = `
INSERT INTO batches (batch_id, workflow_id, source, pipeline, pipeline_version, rule_set, status, total, counts,
                     last_error, started_at, finished_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
ON CONFLICT (batch_id) DO UPDATE SET status = EXCLUDED.status, counts = EXCLUDED.counts,
  last_error = EXCLUDED.last_error, finished_at = now()`;

export const SELECT_BATCH = `
SELECT batch_id, workflow_id, source, pipeline, pipeline_version, rule_set, status, total, counts, last_error,
       started_at, finished_at
FROM batches WHERE batch_id = $1`;

export const SELECT_REJECTIONS = `
SELECT ref, line, case_id, issues, input FROM batch_rejections WHERE batch_id = $1 ORDER BY line NULLS LAST, ref`;
