#!/usr/bin/env bash
# Start the Debian PostgreSQL 15 cluster (as CI does) and make sure the qiancun role exists.
# PostgreSQL runs as the postgres user, never as root. Needs root (or sudo) for pg_ctlcluster/su.
# Usage: scripts/start_postgres.sh [database ...]   — also creates the named databases if missing.
set -euo pipefail
if ! pg_lsclusters -h 2>/dev/null | grep -q "^15 *main"; then
  pg_createcluster 15 main >/dev/null
fi
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'qiancun') THEN
    CREATE ROLE qiancun LOGIN PASSWORD 'qiancun' CREATEDB;
  END IF;
END $$;
SQL
for db in "$@"; do
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" | grep -q 1 \
    || su postgres -c "createdb -O qiancun $db"
done
