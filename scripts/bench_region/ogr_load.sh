#!/usr/bin/env bash
# Loads a GraceTHD 2.0.1 delivery folder into PostGIS the way engineers do, for scripts/bench_region.sh: ogr2ogr
# reads every shapefile of the folder in one run, then each CSV file (`;`-separated) in a run of its own.
# Usage: ogr_load.sh 'PG:host=… user=… dbname=…' DELIVERY_DIR
set -euo pipefail
pg=$1 dir=$2
ogr2ogr --config PG_USE_COPY YES -f PostgreSQL "$pg" "$dir" -a_srs EPSG:2154 -gt 65536 \
  -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE
for f in "$dir"/*.csv; do
  ogr2ogr --config PG_USE_COPY YES -f PostgreSQL "$pg" "$f" -oo SEPARATOR=SEMICOLON -gt 65536 \
    -nln "$(basename "$f" .csv)"
done
