import type { Migration } from './migrations/list';

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
