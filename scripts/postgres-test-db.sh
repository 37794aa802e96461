#!/usr/bin/env bash
# Installs (Debian's package) and starts PostgreSQL, and creates the role and database that the tests
# use: postgres://keel:keel@127.0.0.1:5432/keel_test (KEEL_TEST_DATABASE_URL overrides it in tests).
# Idempotent: a running cluster, an existing role or database are reused.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "psql -qAt -c 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qAt -c \"select 1 from pg_roles where rolname='keel'\"" | grep -q 1 ||
  su postgres -c "psql -q -c \"create role keel login password 'keel' createrole\""
su postgres -c "psql -qAt -c \"select 1 from pg_database where datname='keel_test'\"" | grep -q 1 ||
  su postgres -c "psql -q -c 'create database keel_test owner keel'"
echo "PostgreSQL $version ready: postgres://keel:keel@127.0.0.1:5432/keel_test"
