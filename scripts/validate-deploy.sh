#!/usr/bin/env bash
# Validates the deployable artifacts offline (issue 18): the Helm chart with `helm lint` and
# `helm template`, its rendered manifests against the Kubernetes schemas, and docker-compose.yml
# with the Compose CLI (`docker-compose config -q`, no Docker engine needed).
# The validators are built from the Go module proxy once and cached under .tools/deploy/
# (GOBIN per tool and version), so a warm run only validates.
#   bash scripts/validate-deploy.sh            build what is missing, then validate
#   bash scripts/validate-deploy.sh --build    build only (CI starts it early, in the background)
set -euo pipefail
cd "$(dirname "$0")/.."
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
COMPOSE_VERSION="${COMPOSE_VERSION:-v5.6.0}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
TOOLS="$PWD/.tools/deploy"
HELM="$TOOLS/helm-$HELM_VERSION/helm"
COMPOSE="$TOOLS/compose-$COMPOSE_VERSION/docker-compose"
KUBECONFORM="$TOOLS/kubeconform-$KUBECONFORM_VERSION/kubeconform"
SCHEMAS="$TOOLS/k8s-schemas"
log() { printf '[deploy] %s\n' "$*"; }

# go install into a GOBIN of its own; the binary appears only when the build finished.
go_install() { # <dest binary> <package@version>
  local dest="$1" pkg="$2" dir tmp start
  [ -x "$dest" ] && return 0
  dir="$(dirname "$dest")"
  tmp="$(mktemp -d "$TOOLS/.build.XXXXXX")"
  start=$SECONDS
  log "building $pkg (once; cached in ${dir#"$PWD"/})"
  GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags='-s -w' "$pkg"
  mkdir -p "$dir"
  mv "$tmp"/* "$dest"
  rm -rf "$tmp"
  log "built $(basename "$dest") in $((SECONDS - start)) s"
}

# Compose's go.mod has exclude directives, which `go install pkg@version` refuses: build it as the
# main module, in its own (read-only) directory of the module cache, with its own go.mod and go.sum.
go_build_in_module() { # <dest binary> <module@version> <package dir>
  local dest="$1" dir tmp start
  [ -x "$dest" ] && return 0
  dir="$(go mod download -json "$2" | node -e "process.stdout.write(JSON.parse(require('fs').readFileSync(0,'utf8')).Dir)")"
  tmp="$(mktemp -d "$TOOLS/.build.XXXXXX")"
  start=$SECONDS
  log "building $2 ./$3 (once; cached in ${dest%/*})"
  (cd "$dir" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp/bin" "./$3")
  mkdir -p "$(dirname "$dest")"
  mv "$tmp/bin" "$dest"
  rm -rf "$tmp"
  log "built $(basename "$dest") in $((SECONDS - start)) s"
}

build() {
  mkdir -p "$TOOLS"
  go_install "$HELM" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  go_install "$KUBECONFORM" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  go_build_in_module "$COMPOSE" "github.com/docker/compose/v5@$COMPOSE_VERSION" cmd
  [ -f "$SCHEMAS/.done" ] || node scripts/k8s-schemas.js "$SCHEMAS"
}

build
[ "${1:-}" = --build ] && exit 0

chart=deploy/helm/arbiter
log "helm lint $chart"
"$HELM" lint --strict "$chart"
for values in "$chart"/ci/*-values.yaml; do "$HELM" lint --strict "$chart" -f "$values"; done
rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
for values in "$chart"/values.yaml "$chart"/ci/*-values.yaml; do
  out="$rendered/$(basename "$values" .yaml).yaml"
  "$HELM" template arbiter "$chart" -f "$values" --namespace arbiter >"$out"
  log "helm template with $(basename "$values"): $(grep -c '^kind:' "$out") objects"
  "$KUBECONFORM" -strict -summary -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$out"
  node scripts/check-manifests.js "$out" "$values"
done

log "docker-compose config -q (with .env.example)"
ARBITER_ENV_FILE=.env.example "$COMPOSE" --env-file .env.example -f docker-compose.yml config -q
log 'deployment artifacts valid'
