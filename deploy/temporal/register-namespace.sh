#!/bin/sh
# One-shot (the temporal-namespace service, temporalio/admin-tools): makes the namespace Keel runs in
# and registers Keel's search attributes (KEEL_SEARCH_ATTRIBUTES, all Keyword; core/search-attributes.ts
# names them and test/deploy-stack.test.ts checks that this list matches). Safe to run again.
set -eu
: "${TEMPORAL_ADDRESS:?host:port of the Temporal frontend}"
: "${KEEL_NAMESPACE:?the namespace}"
: "${KEEL_SEARCH_ATTRIBUTES:?space-separated search attribute names}"

until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo "waiting for Temporal at $TEMPORAL_ADDRESS"
  sleep 2
done

if ! temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$KEEL_NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$KEEL_NAMESPACE" --retention "${KEEL_NAMESPACE_RETENTION:-720h}"
fi

existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$KEEL_NAMESPACE")
for name in $KEEL_SEARCH_ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name is registered"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$KEEL_NAMESPACE" --name "$name" --type Keyword
  fi
done
echo "namespace $KEEL_NAMESPACE is ready for Keel"
