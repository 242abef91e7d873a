// Every statement the feedback store runs, in one place (STYLE rule 9).

/**
 * Records one feedback and labels its decision, in one statement (atomic, one round trip, no
 * transaction held open across round trips). The decision row is locked first, so feedback on one
 * decision is applied one at a time. A feedback id already recorded inserts nothing and labels
 * nothing. The label is the latest feedback's by `received_at`, whatever order corrections arrive in.
 * No row: the decision does not exist. $1 feedback id, $2 decision id, $3 label, $4 source, $5 note.
 */
export const RECORD_FEEDBACK = `
WITH target AS (
  SELECT decision_id, pipeline, label FROM decisions WHERE decision_id = $2::text FOR UPDATE
), inserted AS (
  INSERT INTO decision_feedback (feedback_id, decision_id, label, source, note)
  SELECT $1::text, decision_id, $3::text, $4::text, $5::text FROM target
  ON CONFLICT (feedback_id) DO NOTHING
  RETURNING decision_id, label, source, received_at
), updated AS (
  UPDATE decisions d SET label = i.label, label_source = i.source, labelled_at = i.received_at
  FROM inserted i
  WHERE d.decision_id = i.decision_id AND (d.labelled_at IS NULL OR d.labelled_at <= i.received_at)
  RETURNING d.label
)
SELECT t.pipeline,
  EXISTS (SELECT 1 FROM inserted) AS inserted,
  COALESCE((SELECT label FROM updated), t.label) AS label,
  (SELECT decision_id FROM decision_feedback WHERE feedback_id = $1::text) AS recorded_for
FROM target t`;

export const FEEDBACK_HISTORY = `
SELECT feedback_id, decision_id, label, source, note, received_at
FROM decision_feedback WHERE decision_id = $1 ORDER BY received_at, id`;

/**
 * Labelled decisions with every member call (`calls`, all statuses; empty for decisions written
 * before model_calls existed, which fall back to `models`). $1 pipeline, $2 decided since: null for all.
 */
export const LABELLED_DECISIONS = `
SELECT d.decision_id, d.pipeline, d.label, d.outcome, d.final_outcome, d.decided_at, d.models,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('model', c.model, 'version', c.version::text, 'arm', c.arm,
                                                'status', c.status, 'score', c.output -> 'score') ORDER BY c.call_id)
            FROM model_calls c WHERE c.decision_id = d.decision_id), '[]'::jsonb) AS calls
FROM decisions d
WHERE d.label IS NOT NULL
  AND ($1::text IS NULL OR d.pipeline = $1)
  AND ($2::timestamptz IS NULL OR d.decided_at >= $2)
ORDER BY d.decided_at, d.decision_id`;
