#!/bin/sh
# One-shot (the temporal-schema service, temporalio/admin-tools): creates Temporal's two databases on
# PostgreSQL and brings both schemas, the default store and visibility, to the version this admin-tools
# release ships, as Temporal's own compose examples do. Safe to run again: an existing database is kept
# and update-schema only applies what is missing, so upgrading the images and running it again migrates.
set -eu
: "${SQL_PASSWORD:?the temporal role's password}"
host=${POSTGRES_SEEDS:-postgresql}
port=${DB_PORT:-5432}
user=${POSTGRES_USER:-temporal}
schemas=/etc/temporal/schema/postgresql/v12

echo "waiting for PostgreSQL at $host:$port"
until nc -z -w 5 "$host" "$port"; do sleep 2; done

for target in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${target%%:*}
  dir=${target#*:}
  sql() { temporal-sql-tool --plugin postgres12 --ep "$host" -p "$port" -u "$user" --db "$db" "$@"; }
  sql create
  sql setup-schema -v 0.0
  sql update-schema -d "$schemas/$dir/versioned"
  echo "schema of $db is up to date ($dir)"
done
