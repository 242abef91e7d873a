// Every statement of the decision lab (backtests, promotions with evidence), in one place (STYLE rule 9).

/** Records a backtest as running; a retried open changes nothing. */
export const START_BACKTEST = `
INSERT INTO backtests (backtest_id, workflow_id, request, pipeline, pipeline_version, rule_set, rule_set_version,
                       against, status, total, actor)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running', $9, $10)
ON CONFLICT (backtest_id) DO NOTHING`;

/**
 * The replayed decisions' filter: $1 pipeline, $2 since, $3 until, $4 decision ids (null: all).
 * Only decisions that kept their input can be replayed.
 */
const SELECTED = `
FROM decisions d
WHERE d.pipeline = $1 AND d.input IS NOT NULL
  AND ($2::timestamptz IS NULL OR d.decided_at >= $2)
  AND ($3::timestamptz IS NULL OR d.decided_at < $3)
  AND ($4::text[] IS NULL OR d.decision_id = ANY($4))`;

export const COUNT_SELECTED = `SELECT count(*)::int AS n ${SELECTED}`;

/** The rule set (and version) of the latest selected decision that had one. */
export const LATEST_RULE_SET = `
SELECT d.rule_set, d.rule_set_version::text AS rule_set_version ${SELECTED} AND d.rule_set IS NOT NULL
ORDER BY d.decided_at DESC, d.decision_id DESC LIMIT 1`;

/**
 * One chunk of selected decisions after the cursor ($5 decided_at as text, $6 decision id; nulls:
 * from the start), $7 rows. `decided_at::text` keeps microseconds, so the keyset never skips a row.
 */
export const READ_SELECTED = `
SELECT d.decision_id, d.case_id, d.decided_at::text AS decided_at_text, d.input, d.outcome, d.score, d.label,
  d.thresholds, d.similar_cases, d.workflow_id
${SELECTED}
  AND ($5::timestamptz IS NULL OR (d.decided_at, d.decision_id) > ($5::timestamptz, $6::text))
ORDER BY d.decided_at, d.decision_id
LIMIT $7`;

/** Writes a chunk's replayed cases (a retried chunk overwrites its own rows), then the running counts. */
export const RECORD_CASES = `
INSERT INTO backtest_cases (backtest_id, decision_id, case_id, decided_at, decided_outcome, decided_score,
                            candidate_outcome, candidate_score, label, members, error)
SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::float8[], $7::text[],
                         $8::float8[], $9::text[], $10::jsonb[], $11::text[])
ON CONFLICT (backtest_id, decision_id) DO UPDATE SET
  candidate_outcome = EXCLUDED.candidate_outcome, candidate_score = EXCLUDED.candidate_score,
  label = EXCLUDED.label, members = EXCLUDED.members, error = EXCLUDED.error`;

export const COUNT_CASES = `
UPDATE backtests b SET
  replayed = (SELECT count(*) FROM backtest_cases c WHERE c.backtest_id = b.backtest_id),
  failed = (SELECT count(*) FROM backtest_cases c WHERE c.backtest_id = b.backtest_id AND c.candidate_outcome IS NULL)
WHERE b.backtest_id = $1`;

export const BACKTEST_CASES = `
SELECT decision_id, case_id, decided_outcome, decided_score, candidate_outcome, candidate_score, label, members, error
FROM backtest_cases WHERE backtest_id = $1 ORDER BY decided_at, decision_id`;

export const FINISH_BACKTEST = `
UPDATE backtests SET status = $2, report = $3, last_error = $4, finished_at = now() WHERE backtest_id = $1`;

export const GET_BACKTEST = `
SELECT backtest_id, workflow_id, request, pipeline, pipeline_version, rule_set, rule_set_version, against, status,
  total, replayed, failed, report, last_error, actor, started_at, finished_at
FROM backtests WHERE backtest_id = $1`;

export const BACKTEST_EXISTS = `SELECT 1 FROM backtests WHERE backtest_id = $1`;

export const LOCK_PIPELINE = `SELECT pg_advisory_xact_lock(hashtext('pipelines:' || $1))`;

export const NEXT_PIPELINE_VERSION = `SELECT coalesce(max(version), 0) + 1 AS next FROM pipelines WHERE name = $1`;

/** The newest live version of a pipeline ($1), for promotion. */
export const NEWEST_LIVE = `SELECT max(version) AS version FROM pipelines WHERE name = $1 AND NOT candidate`;

export const CLEAR_CANDIDATE = `UPDATE pipelines SET candidate = false WHERE name = $1 AND version = $2`;

export const COPY_AS_LIVE = `
INSERT INTO pipelines (name, version, spec, spec_hash, description, actor)
SELECT name, $3, spec, spec_hash, description, $4 FROM pipelines WHERE name = $1 AND version = $2`;

export const RECORD_PROMOTION = `
INSERT INTO pipeline_promotions (name, version, backtest_id, reason, actor) VALUES ($1, $2, $3, $4, $5)
RETURNING id, name, version, backtest_id, reason, actor, promoted_at`;

export const PROMOTIONS = `
SELECT id, name, version, backtest_id, reason, actor, promoted_at FROM pipeline_promotions
WHERE name = $1 ORDER BY promoted_at, id`;

/**
 * A pipeline's ($1) labelled decisions with each model call's step, arm, status and score (from
 * `model_calls`; `models` for decisions older than it), for `pipelines fit`.
 */
export const LABELLED_STEP_CALLS = `
SELECT d.decision_id, d.label, d.models,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('step', c.step_id, 'arm', c.arm, 'status', c.status,
                                                'score', c.output -> 'score') ORDER BY c.call_id)
            FROM model_calls c WHERE c.decision_id = d.decision_id), '[]'::jsonb) AS calls
FROM decisions d
WHERE d.label IS NOT NULL AND d.pipeline = $1
ORDER BY d.decided_at, d.decision_id`;
