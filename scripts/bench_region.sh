#!/usr/bin/env bash
# Region scale, end to end: for each size, generates a clean GraceTHD 2.0.1 delivery (without the fibre-level
# table) and measures, with /usr/bin/time (wall time and peak memory of each process):
#   generate        `thd generate --plugs N`
#   files (floor)   `cat` of every file of the delivery to /dev/null, from the page cache: the physical floor
#   read + decode   `thd inspect` (every file read and hashed, every cell validated, the typed network built)
#   full check      `thd check`   (read + decode + the whole control catalogue and the graph controls)
#   import SQLite   `thd import` into a new SQLite store
#   import PostGIS  `thd import` into a new PostgreSQL/PostGIS database
#   stats           `thd stats --by department,phase` (read + decode + plugs placed and aggregated)
# and the SQL pipeline engineers use today, on the same files: ogr2ogr (Debian's gdal-bin) loading every file
# into PostGIS, the indexes the controls need (bench_region/indexes.sql), then the path-end, cable-end,
# address-in-zone and zone-nesting controls as indexed queries (bench_region/controls.sql).
#
# Writes, in $WORK (default /tmp/thd-bench-region): results.csv, results.md (the Markdown table, also printed)
# and time.svg (time vs size, log-log). Needs PostgreSQL on 127.0.0.1:5432 with PostGIS (scripts/setup.sh).
# Usage: scripts/bench_region.sh [PLUGS ...]   (default: 10000 100000 1000000 1450000; ≈ 6 GB of disk for all)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cargo build --release --quiet --bin thd
THD=$root/target/release/thd
WORK="${WORK:-${TMPDIR:-/tmp}/thd-bench-region}"
mkdir -p "$WORK"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 1000000 1450000)
pg_host=${THD_PG_HOST:-127.0.0.1}
export PGOPTIONS="--client-min-messages=warning"
psql_q() { psql -h "$pg_host" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
fresh_db() { # name: an empty database with PostGIS
  psql_q -d postgres -c "drop database if exists $1 with (force)" -c "create database $1"
  psql_q -d "$1" -c 'create extension postgis'
}

csv="$WORK/results.csv"
echo "plugs,rows,bytes,stage,seconds,peak_mib" > "$csv"
# timed STAGE CMD...: runs CMD under /usr/bin/time, appends a line to results.csv, keeps its output in $WORK/last.
timed() {
  local stage=$1; shift
  if ! /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > "$WORK/last" 2>&1; then
    # `thd check` exits with 1 when it finds blocking defects; anything else is a failure of the bench.
    if [[ $stage != "full check" ]] || ! grep -q "bloquant" "$WORK/last"; then
      echo "bench_region: $stage failed:" >&2; tail -20 "$WORK/last" >&2; exit 1
    fi
  fi
  read -r secs kib < <(tail -1 "$WORK/time")
  echo "$plugs,$rows,$bytes,$stage,$secs,$((kib / 1024))" >> "$csv"
}

for plugs in "${sizes[@]}"; do
  out="$WORK/g$plugs"
  rows=0; bytes=0
  timed "generate" "$THD" generate --plugs "$plugs" --seed 7 --out "$out" --force
  rows=$(python3 -c "import json,sys; print(sum(json.load(open(sys.argv[1]))['counts'].values()))" "$out.manifest.json")
  bytes=$(du -sb "$out" | cut -f1)
  sed -i "s/^$plugs,0,0,/$plugs,$rows,$bytes,/" "$csv"
  find "$out" -type f -exec cat {} + > /dev/null # into the page cache
  timed "files (floor)" sh -c "find '$out' -type f -exec cat {} + > /dev/null"
  timed "read + decode" "$THD" inspect "$out" --show 0
  timed "full check" "$THD" check "$out" --show 0
  grep -o "décodée en .*" "$WORK/last" | sed "s/^/  $plugs plugs: /" >&2 || true
  rm -f "$WORK/store.gpkg" "$WORK/store.gpkg-wal" "$WORK/store.gpkg-shm"
  timed "import SQLite" "$THD" import "$out" --db "$WORK/store.gpkg" --zone bench
  fresh_db thd_bench_region
  timed "import PostGIS" "$THD" import "$out" --db "postgres://postgres@$pg_host:5432/thd_bench_region" --zone bench
  timed "stats" "$THD" stats "$out" --by department,phase

  # The SQL pipeline: ogr2ogr loads the shapefiles (the folder at once) and each CSV file, then indexes, controls.
  fresh_db thd_bench_ogr
  pg="PG:host=$pg_host user=postgres dbname=thd_bench_ogr"
  timed "ogr2ogr load" scripts/bench_region/ogr_load.sh "$pg" "$out"
  timed "SQL indexes" psql -h "$pg_host" -U postgres -d thd_bench_ogr -v ON_ERROR_STOP=1 -q \
    -f scripts/bench_region/indexes.sql
  timed "SQL controls" psql -h "$pg_host" -U postgres -d thd_bench_ogr -v ON_ERROR_STOP=1 -tA -F ': ' \
    -f scripts/bench_region/controls.sql
  sed "s/^/  $plugs plugs, SQL: /" "$WORK/last" >&2
  psql_q -d postgres -c "drop database thd_bench_ogr with (force)" -c "drop database thd_bench_region with (force)"
  rm -f "$WORK/store.gpkg" "$WORK/store.gpkg-wal" "$WORK/store.gpkg-shm"
done

python3 scripts/bench_region/report.py "$csv" "$WORK/results.md" "$WORK/time.svg" \
  "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
cat "$WORK/results.md"
echo "plot: $WORK/time.svg"
