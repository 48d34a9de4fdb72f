#!/bin/sh
# Runs once, when the postgres-data volume is first initialised. Borgflow and Temporal each get a
# role of their own, so neither can read or damage the other's tables. Later password changes in
# .env are not applied here: see docs/deploy-docker.md.
set -e

: "${BORGFLOW_DB_PASSWORD:?BORGFLOW_DB_PASSWORD is required}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is required}"

# Temporal's setup job creates its own two databases, hence CREATEDB and nothing more.
psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set borgflow_password="$BORGFLOW_DB_PASSWORD" \
  --set temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE borgflow LOGIN PASSWORD :'borgflow_password';
CREATE DATABASE borgflow OWNER borgflow;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
