/** One schema change; `version` orders them and is recorded once applied (STYLE rule 9). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The pgvector store's table (migration 4; `PgVectorStore` creates it too, once pgvector is installed).
 *
 * `embedding` is the unparameterised `vector` type because the width depends on the embedder; the
 * store checks it in code and only compares rows of its own width (`vector_dims`), so rows left by
 * an earlier embedder are ignored instead of failing every query.
 *
 * No ANN index: HNSW and IVFFlat refuse an untyped column ("column does not have dimensions", seen on
 * PGlite's pgvector 0.8). A per-width partial expression index does build —
 *   CREATE INDEX ON case_vectors USING hnsw ((embedding::vector(9)) vector_cosine_ops)
 *     WHERE vector_dims(embedding) = 9;
 * — but it is approximate and filters (namespace, metadata) are applied after it, so top-k would
 * come back short. Exact search is right at demo scale; add that index (queries cast the same way,
 * with `SET hnsw.iterative_scan = relaxed_order`) when a namespace grows past ~100k vectors.
 */
export const CREATE_CASE_VECTORS = `
CREATE TABLE IF NOT EXISTS case_vectors (
  namespace  text NOT NULL,
  id         text NOT NULL,
  embedding  vector NOT NULL,
  metadata   jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, id)
)`;

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
  // Without pgvector on the server it records a warning and creates nothing, so decisions keep working;
  // `PgVectorStore` then fails at first use with one clear error, and creates the table itself once the
  // extension has been installed.
  {
    version: 4,
    name: 'case vectors',
    sql: `
DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS vector;
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pgvector is not available (%): case_vectors is not created', SQLERRM;
    RETURN;
  END;
  ${CREATE_CASE_VECTORS.trim()};
END $$;`,
  },
  // The rule_sets table: every changed rule set applied is a new immutable version.
  {
    version: 5,
    name: 'rule sets',
    sql: `
CREATE TABLE rule_sets (
  name        text NOT NULL,
  version     int NOT NULL CHECK (version > 0),
  spec        jsonb NOT NULL,
  spec_hash   text NOT NULL,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);
CREATE INDEX rule_sets_hash_idx ON rule_sets (name, spec_hash);`,
  },
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
  // Cases waiting for a batch, each batch run, its chunks and the lines or rows it could not decide.
  {
    version: 8,
    name: 'batch decisions',
    sql: `
CREATE TABLE pending_cases (
  case_id     text PRIMARY KEY,
  input       jsonb NOT NULL,
  -- The pipeline the case is for; NULL: whichever batch comes first.
  pipeline    text,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  -- '<batch id>#<chunk>': which batch took the row, and in which chunk (a retried read finds it again).
  claimed_by  text,
  claimed_at  timestamptz,
  decided_at  timestamptz,
  decision_id text,
  outcome     text CHECK (outcome IN ('approve', 'decline', 'review', 'rejected', 'failed')),
  error       text
);
CREATE INDEX pending_cases_unclaimed_idx ON pending_cases (enqueued_at, case_id) WHERE claimed_by IS NULL;
CREATE INDEX pending_cases_claimed_idx ON pending_cases (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE TABLE batches (
  batch_id         text PRIMARY KEY,
  workflow_id      text NOT NULL,
  source           jsonb NOT NULL,
  pipeline         text NOT NULL,
  pipeline_version text NOT NULL,
  rule_set         text,
  status           text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  total            int,
  counts           jsonb NOT NULL DEFAULT '{}',
  last_error       text,
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE TABLE batch_chunks (
  batch_id    text NOT NULL,
  chunk       int NOT NULL,
  run_id      text NOT NULL,
  cases       int NOT NULL,
  decided     int NOT NULL,
  rejected    int NOT NULL,
  failed      int NOT NULL,
  -- One entry per batched model call: step, model, version, rows, ok, latency.
  calls       jsonb NOT NULL,
  timings     jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, chunk)
);
CREATE TABLE batch_rejections (
  batch_id    text NOT NULL,
  -- 'line <n>' for a file, 'case <id>' for a table row.
  ref         text NOT NULL,
  line        int,
  case_id     text,
  issues      jsonb NOT NULL,
  input       jsonb,
  rejected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, ref)
);`,
  },
  {
    version: 9,
    name: 'registry generation',
    // One counter every write to the registry bumps (in the writer's transaction): a worker keeps
    // pinned pipelines and rule sets while it is unchanged, and pins again once anything moved.
    sql: `
CREATE TABLE registry_generation (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  n   bigint NOT NULL
);
INSERT INTO registry_generation (n) VALUES (0);
CREATE FUNCTION bump_registry_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE registry_generation SET n = n + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER models_generation AFTER INSERT OR UPDATE OR DELETE ON models
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_generation();
CREATE TRIGGER model_versions_generation AFTER INSERT OR UPDATE OR DELETE ON model_versions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_generation();
CREATE TRIGGER model_aliases_generation AFTER INSERT OR UPDATE OR DELETE ON model_aliases
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_generation();
CREATE TRIGGER pipelines_generation AFTER INSERT OR UPDATE OR DELETE ON pipelines
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_generation();
CREATE TRIGGER rule_sets_generation AFTER INSERT OR UPDATE OR DELETE ON rule_sets
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_generation();`,
  },
  {
    version: 10,
    name: 'rule-decided decisions keep no thresholds',
    // A rule set decides instead of the thresholds: its decisions record NULL, not defaults that
    // played no part. Older rule-decided rows keep theirs; the log's reader hides them (decision-store.ts).
    sql: `ALTER TABLE decisions ALTER COLUMN thresholds DROP NOT NULL;`,
  },
  {
    version: 11,
    name: 'actors of admin actions',
    // Who did it: an API key's name, `cli:<os user>` or `seed`; NULL for rows older than this.
    sql: `
ALTER TABLE model_versions ADD COLUMN actor text;
ALTER TABLE model_alias_history ADD COLUMN actor text;
ALTER TABLE pipelines ADD COLUMN actor text;
ALTER TABLE rule_sets ADD COLUMN actor text;
ALTER TABLE decision_feedback ADD COLUMN actor text;`,
  },
  {
    version: 12,
    name: 'decision lab: backtests, candidate pipelines, promotions with evidence',
    // A backtest replays a candidate over past decisions' stored inputs and writes only here, never
    // to \`decisions\`. A candidate pipeline version (\`pipelines fit\`) is stored but not live until
    // promoted; a promotion (of a pipeline version or a model alias) may cite the backtest behind it.
    sql: `
CREATE TABLE backtests (
  backtest_id      text PRIMARY KEY,
  workflow_id      text NOT NULL,
  request          jsonb NOT NULL,
  pipeline         text NOT NULL,
  pipeline_version text NOT NULL,
  rule_set         text,
  rule_set_version text,
  against          text NOT NULL,
  status           text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  total            int,
  replayed         int NOT NULL DEFAULT 0,
  failed           int NOT NULL DEFAULT 0,
  report           jsonb,
  last_error       text,
  actor            text,
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE TABLE backtest_cases (
  backtest_id       text NOT NULL REFERENCES backtests (backtest_id) ON DELETE CASCADE,
  decision_id       text NOT NULL,
  case_id           text NOT NULL,
  decided_at        timestamptz NOT NULL,
  decided_outcome   text NOT NULL,
  decided_score     double precision NOT NULL,
  candidate_outcome text,
  candidate_score   double precision,
  label             text,
  -- The candidate's member calls that answered: model, version, arm, score.
  members           jsonb NOT NULL DEFAULT '[]',
  error             text,
  PRIMARY KEY (backtest_id, decision_id)
);
ALTER TABLE pipelines ADD COLUMN candidate boolean NOT NULL DEFAULT false;
CREATE TABLE pipeline_promotions (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  version     int NOT NULL,
  backtest_id text REFERENCES backtests (backtest_id),
  reason      text NOT NULL,
  actor       text,
  promoted_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (name, version) REFERENCES pipelines (name, version)
);
ALTER TABLE model_alias_history ADD COLUMN backtest_id text REFERENCES backtests (backtest_id);`,
  },
  {
    version: 13,
    name: 'registry changes notified',
    // Each bump of the generation is also a NOTIFY on 'arbiter_registry' (delivered at commit): the
    // embedded database tells its own process's workers at once, instead of a read per decision
    // (stores/pglite-session.ts). On a real PostgreSQL nobody listens, and workers read the counter.
    sql: `
CREATE OR REPLACE FUNCTION bump_registry_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  next bigint;
BEGIN
  UPDATE registry_generation SET n = n + 1 RETURNING n INTO next;
  PERFORM pg_notify('arbiter_registry', next::text);
  RETURN NULL;
END
$$;`,
  },
];
