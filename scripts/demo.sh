#!/usr/bin/env bash
# The main job on the sample data: build `thd` (release), then read and check the sample delivery in data/ and
# print what it holds and every defect found. Extra arguments go to `thd inspect` (e.g. --format json).
# Usage: scripts/demo.sh [--format json] [--show N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet --bin thd
target/release/thd inspect data/sample-v2.0.1 "$@"
