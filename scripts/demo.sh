#!/usr/bin/env bash
# The main job on the sample data: build `thd` (release), read and check the sample delivery in data/ (every
# defect, with its place and a hint), keep it in the embedded store (a SQLite/GeoPackage file, $THD_DB, by default
# target/demo.gpkg) and list the store's deliveries. Extra arguments go to `thd inspect` (e.g. --format json).
# Usage: scripts/demo.sh [--format json] [--show N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet --bin thd
export THD_DB="${THD_DB:-target/demo.gpkg}"
target/release/thd inspect data/sample-v2.0.1 "$@"
echo
target/release/thd import data/sample-v2.0.1 --zone "22-echantillon" --contractor "échantillon" --label "sample-v2.0.1"
target/release/thd deliveries
