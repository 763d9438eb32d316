#!/usr/bin/env bash
# Every test of the project, as CI runs it: formatting, lints, the generated model files, the Rust test suites.
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "system packages and toolchain components"
scripts/setup.sh

step "model files are up to date with ../shared/gracethd"
python3 scripts/gen_gracethd_model.py --check
python3 scripts/gen_gracethd_v3.py --check
python3 scripts/gen_gracethd_controls.py --check
python3 scripts/gen_gracethd_v3_controls.py --check

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace

step "dashboard in headless Chromium (scripts/browser_test.sh)"
scripts/browser_test.sh
