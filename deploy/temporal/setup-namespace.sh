#!/bin/sh
# Once the server answers: Arbiter's namespace and its search attributes (core/search-attributes.ts),
# with the `temporal` CLI of temporalio/admin-tools. The worker adds missing search attributes at
# start too; doing it here lets the UI filter on them before any worker ran.
set -eu
: "${TEMPORAL_ADDRESS:?}"
NS="${TEMPORAL_NAMESPACE:-default}"
export TEMPORAL_ADDRESS
tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 90 ] || { echo "temporal at $TEMPORAL_ADDRESS did not become healthy" >&2; exit 1; }
  sleep 2
done
temporal operator namespace describe --namespace "$NS" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NS" --retention "${TEMPORAL_RETENTION:-720h}"
# One call per attribute: an attribute that exists already is reported, not fatal.
for attr in DecisionOutcome=Keyword Pipeline=Keyword Score=Double Degraded=Bool ReviewState=Keyword; do
  temporal operator search-attribute create --namespace "$NS" --name "${attr%%=*}" --type "${attr#*=}" ||
    echo "search attribute ${attr%%=*} exists"
done
echo "namespace $NS ready with Arbiter's search attributes"
