// Every statement the decision log runs, in one place (STYLE rule 9).

export const INSERT_DECISION = `
INSERT INTO decisions (decision_id, case_id, pipeline, outcome, score, reasons, models, thresholds,
                       input, input_hash, workflow_id, run_id, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (decision_id) DO NOTHING`;

export const INSERT_REJECTION = `
INSERT INTO case_rejections (case_id, workflow_id, run_id, issues, input)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workflow_id, run_id) DO NOTHING`;

const DECISION_COLUMNS = `decision_id, case_id, pipeline, outcome, score, reasons, models, thresholds, input,
  input_hash, workflow_id, run_id, decided_at, recorded_at`;

export const SELECT_DECISION = `SELECT ${DECISION_COLUMNS} FROM decisions WHERE decision_id = $1`;

export const LIST_DECISIONS = `SELECT ${DECISION_COLUMNS} FROM decisions ORDER BY decided_at DESC, decision_id LIMIT $1`;

export const LIST_REJECTIONS = `
SELECT id, case_id, workflow_id, run_id, issues, input, rejected_at
FROM case_rejections WHERE ($1::text IS NULL OR case_id = $1) ORDER BY id DESC LIMIT $2`;

export const COUNT_DECISIONS = `SELECT count(*)::int AS n FROM decisions`;
