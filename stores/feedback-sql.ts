// Every statement the feedback store runs, in one place (STYLE rule 9).

/**
 * Records one feedback and labels its decision, in one statement (atomic, one round trip, no
 * transaction held open across round trips). The decision row is locked first, so feedback on one
 * decision is applied one at a time. A feedback id already recorded inserts nothing and labels
 * nothing. The label is the latest feedback's by `received_at`, whatever order corrections arrive in.
 * No row: the decision does not exist. $1 feedback id, $2 decision id, $3 label, $4 source, $5 note,
 * $6 actor (who sent it: an API key's name, `cli:<os user>`).
 */
export const RECORD_FEEDBACK = `
WITH target AS (
  SELECT decision_id, pipeline, label FROM decisions WHERE decision_id = $2::text FOR UPDATE
), inserted AS (
  INSERT INTO decision_feedback (feedback_id, decision_id, label, source, note, actor)
  SELECT $1::text, decision_id, $3::text, $4::text, $5::text, $6::text FROM target
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
SELECT feedback_id, decision_id, label, source, note, actor, received_at
FROM decision_feedback WHERE decision_id = $1 ORDER BY received_at, id`;

/**
 * Labelled decisions with every member call (`calls`, all statuses; empty for decisions written
 * before model_calls existed, which fall back to `models`). $1 pipeline, $2 decided since: null for all.
 */
export const LABELLED_DECISIONS = `
SELECT d.decision_id, d.pipeline, d.label, d.outcome, d.final_outcome, d.decided_at, d.score, d.models,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('model', c.model, 'version', c.version::text, 'arm', c.arm,
                                                'status', c.status, 'score', c.output -> 'score') ORDER BY c.call_id)
            FROM model_calls c WHERE c.decision_id = d.decision_id), '[]'::jsonb) AS calls
FROM decisions d
WHERE d.label IS NOT NULL
  AND ($1::text IS NULL OR d.pipeline = $1)
  AND ($2::timestamptz IS NULL OR d.decided_at >= $2)
ORDER BY d.decided_at, d.decision_id`;

/**
 * Every answered member score with when it was recorded, for drift (labelled or not).
 * $1 pipeline, $2 decided since: null for all.
 */
export const TIMED_SCORES = `
SELECT c.model, c.version::text AS version, (c.output ->> 'score')::double precision AS score, c.recorded_at
FROM model_calls c JOIN decisions d ON d.decision_id = c.decision_id
WHERE c.status = 'ok' AND jsonb_typeof(c.output -> 'score') = 'number'
  AND ($1::text IS NULL OR d.pipeline = $1)
  AND ($2::timestamptz IS NULL OR d.decided_at >= $2)
ORDER BY c.recorded_at`;

/**
 * RECORD_FEEDBACK for many feedbacks in one statement, one result row per input row ($6 its `ord`).
 * The decisions are locked in id order (two batches never deadlock); a decision labelled by several
 * rows takes the last row's label. The rows' feedback ids are distinct (the caller sees to it).
 * $1..$6 arrays: feedback ids, decision ids, labels, sources, notes, actors (nulls allowed in the last three).
 */
export const RECORD_FEEDBACK_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
    AS i(feedback_id, decision_id, label, source, note, actor, ord)
), target AS (
  SELECT decision_id, pipeline, label FROM decisions
  WHERE decision_id IN (SELECT decision_id FROM input) ORDER BY decision_id FOR UPDATE
), inserted AS (
  INSERT INTO decision_feedback (feedback_id, decision_id, label, source, note, actor)
  SELECT i.feedback_id, i.decision_id, i.label, i.source, i.note, i.actor
  FROM input i JOIN target t ON t.decision_id = i.decision_id ORDER BY i.ord
  ON CONFLICT (feedback_id) DO NOTHING
  RETURNING id, feedback_id, decision_id, label, source, received_at
), latest AS (
  SELECT DISTINCT ON (decision_id) decision_id, label, source, received_at FROM inserted ORDER BY decision_id, id DESC
), updated AS (
  UPDATE decisions d SET label = l.label, label_source = l.source, labelled_at = l.received_at
  FROM latest l
  WHERE d.decision_id = l.decision_id AND (d.labelled_at IS NULL OR d.labelled_at <= l.received_at)
  RETURNING d.decision_id, d.label
)
SELECT i.ord::int AS ord, t.pipeline, ins.feedback_id IS NOT NULL AS inserted,
  COALESCE(u.label, t.label) AS label, f.decision_id AS recorded_for
FROM input i
LEFT JOIN target t ON t.decision_id = i.decision_id
LEFT JOIN inserted ins ON ins.feedback_id = i.feedback_id
LEFT JOIN updated u ON u.decision_id = i.decision_id
LEFT JOIN decision_feedback f ON f.feedback_id = i.feedback_id
ORDER BY i.ord`;

/** Each case id's decisions, oldest first. $1 case ids. */
export const DECISIONS_OF_CASES = `
SELECT case_id, array_agg(decision_id ORDER BY decided_at, decision_id) AS decision_ids
FROM decisions WHERE case_id = ANY($1::text[]) GROUP BY case_id`;
