#!/usr/bin/env bash
# Installs the system packages the project needs, only those missing, so it can run on every CI start.
# The build needs only the Rust toolchain and Python 3; GDAL's command-line tools (gdal-bin) let the reader tests
# convert the demo delivery to a GeoPackage with ogr2ogr, an independent writer to check ours against.
set -euo pipefail

need=()
command -v ogr2ogr >/dev/null || need+=(gdal-bin)
for tool in cargo python3; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required but not installed" >&2; exit 1; }
done
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi
