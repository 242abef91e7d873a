import type { Migration } from './migrations';

/** The rule_sets table: every changed rule set applied is a new immutable version. */
export const RULE_SETS_MIGRATION: Migration = {
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
};

const COLUMNS = 'name, version, spec, created_at';

/** All SQL of the rule set store (STYLE rule 9). */
export const RULES_SQL = {
  // Serialises applies of one rule set, so two applying at once cannot take the same version.
  lock: `SELECT pg_advisory_xact_lock(hashtext('rule-set:' || $1))`,
  byHash: `SELECT version FROM rule_sets WHERE name = $1 AND spec_hash = $2 ORDER BY version LIMIT 1`,
  next: `SELECT coalesce(max(version), 0) + 1 AS next FROM rule_sets WHERE name = $1`,
  insert: `INSERT INTO rule_sets (name, version, spec, spec_hash, description) VALUES ($1, $2, $3, $4, $5)`,
  latest: `SELECT ${COLUMNS} FROM rule_sets WHERE name = $1 ORDER BY version DESC LIMIT 1`,
  exact: `SELECT ${COLUMNS} FROM rule_sets WHERE name = $1 AND version = $2`,
  versions: `SELECT ${COLUMNS} FROM rule_sets WHERE name = $1 ORDER BY version`,
  list: `SELECT DISTINCT ON (name) ${COLUMNS} FROM rule_sets ORDER BY name, version DESC`,
  names: `SELECT DISTINCT name FROM rule_sets ORDER BY name`,
} as const;
