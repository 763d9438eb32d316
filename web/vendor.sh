#!/usr/bin/env bash
# Refreshes the committed copies of the dashboard's two libraries from the npm registry: installs the exact
# versions of package-lock.json in a throw-away folder and copies their dist files and licences into
# assets/vendor/, without their source-map comments (the maps are not shipped, and a browser would ask for them).
# To move to a new version: edit package.json, run `npm install --package-lock-only`, then this script, and commit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

strip_map() { sed -e '/^\/\/# sourceMappingURL=/d' "$1" > "$2"; }

out="$here/assets/vendor"
rm -rf "$out"
mkdir -p "$out/maplibre-gl" "$out/chart.js"

mgl="$work/node_modules/maplibre-gl"
strip_map "$mgl/dist/maplibre-gl.mjs" "$out/maplibre-gl/maplibre-gl.mjs"
# MapLibre starts its worker from the file beside its own module, so the two must stay side by side.
strip_map "$mgl/dist/maplibre-gl-worker.mjs" "$out/maplibre-gl/maplibre-gl-worker.mjs"
cp "$mgl/dist/maplibre-gl.css" "$mgl/LICENSE.txt" "$out/maplibre-gl/"

chart="$work/node_modules/chart.js"
strip_map "$chart/dist/chart.umd.min.js" "$out/chart.js/chart.umd.min.js"
cp "$chart/LICENSE.md" "$out/chart.js/"

for pkg in maplibre-gl chart.js; do
  node -e "const p=require('$work/node_modules/$pkg/package.json'); console.log(p.name + ' ' + p.version + ' ' + p.license)" \
    > "$out/$pkg/VERSION.txt"
done
echo "vendored: $(cat "$out"/*/VERSION.txt | tr '\n' ';')"
