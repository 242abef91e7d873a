import type { Pool } from 'pg';
import { BATCH_MIGRATION } from '../batch-sql';
import { RULE_SETS_MIGRATION } from '../rules-sql';
import { CASE_VECTORS_MIGRATION } from '../vector/pgvector-sql';

/** One schema change; `version` orders them and is recorded once applied (STYLE rule 9). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Ordered, append-only: never edit an applied migration, add a new one. */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'decision log',
    sql: `
CREATE TABLE decisions (
  decision_id  text PRIMARY KEY,
  case_id      text NOT NULL,
  pipeline     text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('approve', 'decline', 'review')),
  score        double precision NOT NULL,
  reasons      jsonb NOT NULL,
  models       jsonb NOT NULL,
  thresholds   jsonb NOT NULL,
  input        jsonb,
  input_hash   text NOT NULL,
  workflow_id  text NOT NULL,
  run_id       text NOT NULL,
  decided_at   timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_decided_at_idx ON decisions (decided_at DESC);
CREATE INDEX decisions_case_id_idx ON decisions (case_id);
CREATE TABLE case_rejections (
  id           bigserial PRIMARY KEY,
  case_id      text,
  workflow_id  text NOT NULL,
  run_id       text NOT NULL,
  issues       jsonb NOT NULL,
  input        jsonb,
  rejected_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_id, run_id)
);`,
  },
  {
    version: 2,
    name: 'model registry',
    sql: `
CREATE TABLE models (
  name        text PRIMARY KEY,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE model_versions (
  name               text NOT NULL REFERENCES models (name),
  version            int NOT NULL CHECK (version > 0),
  kind               text NOT NULL,
  uri                text NOT NULL,
  config             jsonb NOT NULL,
  input_schema       jsonb NOT NULL,
  output_schema      jsonb NOT NULL,
  framework          text,
  training_data      text,
  metrics            jsonb NOT NULL DEFAULT '{}',
  description        text,
  spec_hash          text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  deprecated_at      timestamptz,
  deprecation_reason text,
  PRIMARY KEY (name, version)
);
-- Versions are immutable: only the deprecation columns may ever change.
CREATE FUNCTION model_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.name, NEW.version, NEW.kind, NEW.uri, NEW.config, NEW.input_schema, NEW.output_schema, NEW.spec_hash)
     IS DISTINCT FROM
     (OLD.name, OLD.version, OLD.kind, OLD.uri, OLD.config, OLD.input_schema, OLD.output_schema, OLD.spec_hash) THEN
    RAISE EXCEPTION 'model version %@% is immutable', OLD.name, OLD.version USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER model_versions_immutable BEFORE UPDATE ON model_versions
  FOR EACH ROW EXECUTE FUNCTION model_versions_immutable();
CREATE TABLE model_aliases (
  name       text NOT NULL,
  alias      text NOT NULL,
  version    int NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);
CREATE TABLE model_alias_history (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL,
  alias        text NOT NULL,
  from_version int,
  to_version   int NOT NULL,
  reason       text NOT NULL,
  moved_at     timestamptz NOT NULL DEFAULT now()
);`,
  },
  {
    version: 3,
    name: 'pipelines and model calls',
    sql: `
CREATE TABLE pipelines (
  name        text NOT NULL,
  version     int NOT NULL CHECK (version > 0),
  spec        jsonb NOT NULL,
  spec_hash   text NOT NULL,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);
ALTER TABLE decisions ADD COLUMN pipeline_version int;
ALTER TABLE decisions ADD COLUMN degraded boolean NOT NULL DEFAULT false;
ALTER TABLE decisions ADD COLUMN late jsonb NOT NULL DEFAULT '[]';
-- Every model call a decision made, including late, shadow and canary calls, for audit.
CREATE TABLE model_calls (
  decision_id text NOT NULL,
  call_id     text NOT NULL,
  step_id     text NOT NULL,
  model       text NOT NULL,
  version     int NOT NULL,
  arm         text NOT NULL CHECK (arm IN ('primary', 'canary', 'shadow', 'fallback', 'stacking')),
  placement   text NOT NULL,
  status      text NOT NULL CHECK (status IN ('ok', 'failed')),
  late        boolean NOT NULL DEFAULT false,
  output      jsonb,
  error       text,
  latency_ms  double precision,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (decision_id, call_id)
);`,
  },
  CASE_VECTORS_MIGRATION,
  RULE_SETS_MIGRATION,
  {
    version: 6,
    name: 'human review',
    sql: `
ALTER TABLE decisions ADD COLUMN review_state text CHECK (review_state IN ('pending', 'approved', 'declined', 'escalated'));
ALTER TABLE decisions ADD COLUMN final_outcome text CHECK (final_outcome IN ('approve', 'decline', 'review'));
ALTER TABLE decisions ADD COLUMN reviewer text;
ALTER TABLE decisions ADD COLUMN review_note text;
ALTER TABLE decisions ADD COLUMN reviewed_at timestamptz;`,
  },
  {
    version: 7,
    name: 'audit detail and feedback',
    sql: `
ALTER TABLE decisions ADD COLUMN rule_set text;
ALTER TABLE decisions ADD COLUMN rule_set_version int;
ALTER TABLE decisions ADD COLUMN rules_matched jsonb NOT NULL DEFAULT '[]';
ALTER TABLE decisions ADD COLUMN similar_cases jsonb;
ALTER TABLE decisions ADD COLUMN timings jsonb NOT NULL DEFAULT '{}';
ALTER TABLE decisions ADD COLUMN latency_ms double precision;
ALTER TABLE decisions ADD COLUMN label text CHECK (label IN ('fraud', 'legit'));
ALTER TABLE decisions ADD COLUMN label_source text;
ALTER TABLE decisions ADD COLUMN labelled_at timestamptz;
CREATE INDEX decisions_labelled_idx ON decisions (pipeline, decided_at DESC) WHERE label IS NOT NULL;
CREATE TABLE decision_feedback (
  id          bigserial PRIMARY KEY,
  feedback_id text NOT NULL UNIQUE,
  decision_id text NOT NULL REFERENCES decisions (decision_id),
  label       text NOT NULL CHECK (label IN ('fraud', 'legit')),
  source      text,
  note        text,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decision_feedback_decision_idx ON decision_feedback (decision_id, received_at);`,
  },
  BATCH_MIGRATION,
];

// Arbitrary but fixed: serialises concurrent migrators (two workers starting at once).
const MIGRATION_LOCK_ID = 0x4172626974;

/** Applies every migration not yet recorded, each in its own transaction, under an advisory lock. */
export async function migrate(pool: Pool, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS arbiter_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM arbiter_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO arbiter_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed`, { cause: err });
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    client.release();
  }
  return applied;
}
