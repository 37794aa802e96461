#!/bin/sh
# Runs once, when the postgresql service initialises its data volume (docker-entrypoint-initdb.d):
# the role Temporal's schema tool and server use (it creates its two databases itself), and Keel's
# role and database. Keel's role is not a superuser (row-level security must apply to it) and may
# create roles (the example tools' migrations add their scoped role).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" -v keel_password="$KEEL_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE ROLE keel LOGIN CREATEROLE PASSWORD :'keel_password';
CREATE DATABASE keel OWNER keel;
SQL
