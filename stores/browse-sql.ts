import { DECISION_COLUMNS } from './sql';

// The queries of the console and of the list endpoints (stores/decision-browse.ts). Every filter is
// a parameter that is NULL when unset, so one statement serves every combination.

/**
 * Decisions newest first after a keyset cursor over (decided_at, decision_id). `cursor_at` is
 * decided_at as text: it round-trips to the microsecond, which a JS Date would not.
 * $1 outcome, $2 pipeline, $3 min score, $4 max score, $5 degraded, $6 review state (or 'none'),
 * $7 label (or 'none'), $8 since, $9 until, $10 $11 the cursor, $12 limit.
 */
export const SEARCH_DECISIONS = `
SELECT ${DECISION_COLUMNS}, decided_at::text AS cursor_at FROM decisions
WHERE ($1::text IS NULL OR outcome = $1)
  AND ($2::text IS NULL OR pipeline = $2)
  AND ($3::float8 IS NULL OR score >= $3)
  AND ($4::float8 IS NULL OR score <= $4)
  AND ($5::boolean IS NULL OR degraded = $5)
  AND ($6::text IS NULL OR CASE $6::text
        WHEN 'pending' THEN outcome = 'review' AND (review_state IS NULL OR review_state = 'pending')
        WHEN 'none' THEN review_state IS NULL AND outcome <> 'review'
        ELSE review_state = $6 END)
  AND ($7::text IS NULL OR COALESCE(label, 'none') = $7)
  AND ($8::timestamptz IS NULL OR decided_at >= $8)
  AND ($9::timestamptz IS NULL OR decided_at < $9)
  AND ($10::timestamptz IS NULL OR (decided_at, decision_id) < ($10::timestamptz, $11::text))
ORDER BY decided_at DESC, decision_id DESC LIMIT $12`;

/** Decisions waiting for a person, oldest first (the same test as the monitoring backlog). $1 pipeline, $2 $3 score range, $4 limit. */
export const PENDING_REVIEWS = `
SELECT ${DECISION_COLUMNS} FROM decisions
WHERE outcome = 'review' AND (review_state IS NULL OR review_state = 'pending')
  AND ($1::text IS NULL OR pipeline = $1)
  AND ($2::float8 IS NULL OR score >= $2)
  AND ($3::float8 IS NULL OR score <= $3)
ORDER BY decided_at, decision_id LIMIT $4`;

/**
 * Decisions per time bucket since $2 (bucket width $1), $3 pipeline: the outcome the pipeline (or
 * its rules) gave, the degraded ones, and latency percentiles.
 */
export const DECISION_TIMELINE = `
SELECT date_bin($1::interval, decided_at, TIMESTAMPTZ '2000-01-01') AS t,
       count(*)::int AS n,
       count(*) FILTER (WHERE outcome = 'approve')::int AS approve,
       count(*) FILTER (WHERE outcome = 'decline')::int AS decline,
       count(*) FILTER (WHERE outcome = 'review')::int AS review,
       count(*) FILTER (WHERE degraded)::int AS degraded,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)::float8 AS p50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms)::float8 AS p99
FROM decisions
WHERE decided_at >= $2 AND ($3::text IS NULL OR pipeline = $3)
GROUP BY 1 ORDER BY 1`;

/**
 * Per member model@version: how often its score (at or above $1 read as decline) agrees with the
 * decision's final outcome, over decisions since $2 that ended approve or decline.
 */
export const MEMBER_AGREEMENT = `
SELECT mc.model, mc.version::text AS version, count(*)::int AS n,
       avg(CASE WHEN ((mc.output->>'score')::float8 >= $1) = (COALESCE(d.final_outcome, d.outcome) = 'decline')
                THEN 1 ELSE 0 END)::float8 AS agreement
FROM model_calls mc JOIN decisions d ON d.decision_id = mc.decision_id
WHERE mc.status = 'ok' AND jsonb_typeof(mc.output->'score') = 'number'
  AND COALESCE(d.final_outcome, d.outcome) IN ('approve', 'decline')
  AND d.decided_at >= $2 AND ($3::text IS NULL OR d.pipeline = $3)
GROUP BY mc.model, mc.version ORDER BY mc.model, mc.version`;

/** The newest batch runs. $1 limit. */
export const RECENT_BATCHES = `
SELECT batch_id, workflow_id, source, pipeline, pipeline_version, rule_set, status, total, counts, last_error,
       started_at, finished_at
FROM batches ORDER BY started_at DESC, batch_id LIMIT $1`;
