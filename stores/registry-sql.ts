// Every statement the model registry runs (STYLE rule 9).

export const LOCK_MODEL = `SELECT name FROM models WHERE name = $1 FOR UPDATE`;

export const INSERT_MODEL = `INSERT INTO models (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`;

export const NEXT_VERSION = `SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE name = $1`;

export const INSERT_VERSION = `
INSERT INTO model_versions (name, version, kind, uri, config, input_schema, output_schema, framework,
                            training_data, metrics, description, spec_hash, actor)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;

const VERSION_COLUMNS = `name, version, kind, uri, config, input_schema, output_schema, framework, training_data,
  metrics, description, created_at, deprecated_at, deprecation_reason, actor`;

export const SELECT_VERSION = `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE name = $1 AND version = $2`;

export const SELECT_VERSIONS = `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE name = $1 ORDER BY version`;

export const SELECT_ALIAS = `SELECT version FROM model_aliases WHERE name = $1 AND alias = $2`;

export const SELECT_ALIASES = `SELECT name, alias, version, updated_at FROM model_aliases WHERE name = $1 ORDER BY alias`;

export const LIST_MODELS = `
SELECT m.name, m.description, m.created_at,
       (SELECT max(version) FROM model_versions v WHERE v.name = m.name) AS latest,
       (SELECT kind FROM model_versions v WHERE v.name = m.name ORDER BY version DESC LIMIT 1) AS kind,
       coalesce((SELECT jsonb_object_agg(alias, version ORDER BY alias) FROM model_aliases a WHERE a.name = m.name),
                '{}'::jsonb) AS aliases
FROM models m ORDER BY m.name`;

export const MODEL_NAMES = `SELECT name FROM models ORDER BY name`;

export const UPSERT_ALIAS = `
INSERT INTO model_aliases (name, alias, version) VALUES ($1, $2, $3)
ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`;

export const INSERT_ALIAS_EVENT = `
INSERT INTO model_alias_history (name, alias, from_version, to_version, reason, actor, backtest_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)`;

export const SELECT_ALIAS_HISTORY = `
SELECT alias, from_version, to_version, reason, moved_at, actor, backtest_id FROM model_alias_history WHERE name = $1 ORDER BY id`;

export const DEPRECATE_VERSION = `
UPDATE model_versions SET deprecated_at = now(), deprecation_reason = $3
WHERE name = $1 AND version = $2 AND deprecated_at IS NULL`;

export const ALIASES_ON_VERSION = `SELECT alias FROM model_aliases WHERE name = $1 AND version = $2 ORDER BY alias`;
