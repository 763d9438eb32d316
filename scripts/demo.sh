#!/usr/bin/env bash
# The main job on the sample data: build `thd` (release), check the sample delivery in data/ against the whole
# control catalogue and as a graph (every defect, with its place and a hint; an HTML report in
# target/demo-report.html), keep it in the embedded store (a SQLite/GeoPackage file, $THD_DB, by default
# target/demo.gpkg) and list the store's deliveries. Extra arguments go to `thd check` (e.g. --phase REC).
# Usage: scripts/demo.sh [--phase AVP] [--show N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet --bin thd
export THD_DB="${THD_DB:-target/demo.gpkg}"
# The sample carries injected defects, so `thd check` exits 3 (blocking defects found): expected here.
target/release/thd check data/sample-v2.0.1 "$@" || [ $? -eq 3 ]
target/release/thd check data/sample-v2.0.1 --format html --out target/demo-report.html "$@" 2>/dev/null || [ $? -eq 3 ]
echo "rapport HTML : target/demo-report.html"
echo
target/release/thd import data/sample-v2.0.1 --zone "22-echantillon" --contractor "échantillon" --label "sample-v2.0.1"
target/release/thd deliveries
