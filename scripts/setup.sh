#!/usr/bin/env bash
# Installs the system packages the project needs, only those missing, so it can run on every CI start.
# The build needs only the Rust toolchain and Python 3; GDAL's command-line tools (gdal-bin) let the reader tests
# convert the demo delivery to a GeoPackage with ogr2ogr, an independent writer to check ours against.
# When a PostgreSQL server answers on 127.0.0.1:5432, the PostGIS package matching its major version is installed
# and the test database of the store (thd_test, with the postgis extension) is created: the store's tests run on
# it and fail when it is unreachable (see crates/thd-store/tests/store.rs for the rule). Chromium and Node run the
# dashboard's browser tests.
set -euo pipefail

need=()
command -v ogr2ogr >/dev/null || need+=(gdal-bin)
# The dashboard's browser tests (scripts/browser_test.sh) drive Debian's Chromium with playwright-core (npm, Node).
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(nodejs npm)
for tool in cargo python3; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required but not installed" >&2; exit 1; }
done
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

pg_host=${THD_PG_HOST:-127.0.0.1}
pg_db=thd_test
psql_admin() { psql -h "$pg_host" -U postgres -d "${1}" -v ON_ERROR_STOP=1 -tAc "${2}"; }
pg_major=""
if command -v psql >/dev/null && pg_version=$(psql_admin postgres 'show server_version' 2>/dev/null); then
  pg_major=${pg_version%%.*}
  if [[ -z "$(psql_admin postgres "select 1 from pg_available_extensions where name = 'postgis'")" ]]; then
    need+=("postgresql-${pg_major}-postgis-3")
  fi
else
  echo "setup: no PostgreSQL server answers on $pg_host:5432; the PostGIS store tests will fail unless THD_SKIP_PG=1" >&2
fi

if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi

if [[ -n "$pg_major" ]]; then
  if [[ -z "$(psql_admin postgres "select 1 from pg_database where datname = '$pg_db'")" ]]; then
    psql_admin postgres "create database $pg_db"
  fi
  psql_admin "$pg_db" 'create extension if not exists postgis' >/dev/null
fi
