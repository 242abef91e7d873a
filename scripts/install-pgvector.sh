#!/usr/bin/env bash
# Installs pgvector into the Debian PostgreSQL that CI starts. Debian's own binary package
# (postgresql-<major>-pgvector) is used when the apt sources carry it. Bookworm has none, so
# otherwise Debian's own *source* package of pgvector (from a newer Debian release, fetched and
# signature-checked by apt from the Debian archive) is built against this server's headers.
# Nothing comes from outside Debian's archive.
set -euo pipefail
PG_MAJOR="${PG_MAJOR:-15}"
# The Debian release whose source package is built (trixie carries pgvector 0.8.0).
PGVECTOR_SUITE="${PGVECTOR_SUITE:-trixie}"
EXT_DIR="/usr/share/postgresql/$PG_MAJOR/extension"
log() { printf '[pgvector] %s\n' "$*"; }

[ -f "$EXT_DIR/vector.control" ] && { log "already installed"; exit 0; }
export DEBIAN_FRONTEND=noninteractive
if apt-get install -y -qq "postgresql-$PG_MAJOR-pgvector" >/dev/null 2>&1; then
  log "installed postgresql-$PG_MAJOR-pgvector"
  exit 0
fi
log "postgresql-$PG_MAJOR-pgvector is not in the apt sources; building Debian's pgvector source package ($PGVECTOR_SUITE)"
apt-get install -y -qq "postgresql-server-dev-$PG_MAJOR" make gcc dpkg-dev >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A private source list and state dir: the system's apt configuration is left as it was.
cat >"$work/src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $PGVECTOR_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
mkdir -p "$work/lists/partial"
apt_opts=(-o "Dir::Etc::sourcelist=$work/src.sources" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$work/lists"
  -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update -qq >/dev/null
(cd "$work" && apt-get "${apt_opts[@]}" source -qq --download-only pgvector >/dev/null)
orig="$(ls "$work"/pgvector_*.orig.tar.* 2>/dev/null | head -n1)"
[ -n "$orig" ] || { log "could not fetch Debian's pgvector source package"; exit 1; }
mkdir -p "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
[ -f "$work/src/vector.control" ] || { log "the source package has no vector.control"; exit 1; }
make -s -C "$work/src" PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" OPTFLAGS="" >/dev/null
make -s -C "$work/src" PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" install >/dev/null
log "built and installed pgvector $(basename "$orig" | sed 's/^pgvector_\(.*\)\.orig.*/\1/') from Debian's source package"
