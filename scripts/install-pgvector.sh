#!/usr/bin/env bash
# Installs pgvector into the Debian PostgreSQL that CI starts. Debian's own package
# (postgresql-<major>-pgvector) is used when the apt sources carry it; otherwise pgvector is built
# from its tagged sources, fetched through the Go module proxy (it serves any tagged public
# repository as a module zip), with the server's development headers.
set -euo pipefail
PG_MAJOR="${PG_MAJOR:-15}"
PGVECTOR_VERSION="${PGVECTOR_VERSION:-v0.8.0}"
EXT_DIR="/usr/share/postgresql/$PG_MAJOR/extension"
log() { printf '[pgvector] %s\n' "$*"; }

[ -f "$EXT_DIR/vector.control" ] && { log "already installed"; exit 0; }
export DEBIAN_FRONTEND=noninteractive
if apt-get install -y -qq "postgresql-$PG_MAJOR-pgvector" >/dev/null 2>&1; then
  log "installed postgresql-$PG_MAJOR-pgvector"
  exit 0
fi
log "postgresql-$PG_MAJOR-pgvector is not in the apt sources; building pgvector $PGVECTOR_VERSION from source"
apt-get install -y -qq "postgresql-server-dev-$PG_MAJOR" make gcc >/dev/null
command -v go >/dev/null || { log "go is needed to fetch the sources"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dir="$(cd "$work" && GOMODCACHE="$work/mod" GOFLAGS=-modcacherw go mod download -json \
  "github.com/pgvector/pgvector@$PGVECTOR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] && [ -f "$dir/vector.control" ] || { log "could not fetch pgvector $PGVECTOR_VERSION"; exit 1; }
cp -r "$dir" "$work/src"
make -s -C "$work/src" PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" OPTFLAGS="" >/dev/null
make -s -C "$work/src" PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" install >/dev/null
log "built and installed pgvector $PGVECTOR_VERSION"
