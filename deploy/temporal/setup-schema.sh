#!/bin/sh
# Temporal's schemas on PostgreSQL with the server's own sql tool (temporalio/admin-tools), instead of
# the retired auto-setup image: the main and the visibility database, created when missing, set up
# from version 0.0 and brought to the versions this image's server expects. Safe to run on every
# `docker compose up`: setup-schema and update-schema skip what is already applied.
set -eu
: "${TEMPORAL_DB_HOST:?}" "${TEMPORAL_DB_USER:?}" "${TEMPORAL_DB_PASSWORD:?}"
SCHEMA=/etc/temporal/schema/postgresql/v12
sql() { temporal-sql-tool --plugin postgres12 --ep "$TEMPORAL_DB_HOST" -p "${TEMPORAL_DB_PORT:-5432}" \
  -u "$TEMPORAL_DB_USER" --pw "$TEMPORAL_DB_PASSWORD" "$@"; }
for pair in "${TEMPORAL_DB_NAME:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}:visibility"; do
  db="${pair%%:*}"
  dir="$SCHEMA/${pair#*:}/versioned"
  # create-database fails when the database exists (a restart): that is the one failure let through.
  sql --db "$db" create-database 2>/dev/null || echo "database $db exists"
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$dir"
done
echo 'temporal schemas ready'
