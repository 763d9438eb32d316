#!/usr/bin/env bash
# The main job on the sample data: build `thd` (release), check the sample delivery in data/ against the whole
# control catalogue and as a graph (every defect, with its place and a hint; an HTML report in
# target/demo-report.html), keep it in the embedded store (a SQLite/GeoPackage file, $THD_DB, by default
# target/demo.gpkg) and list the store's deliveries; then the delegatee takes one SRO zone into operation through
# the API and `thd serve --public` serves it all — the dashboard at http://127.0.0.1:$THD_PORT/ (8080) and the API
# under /api — until Ctrl-C
# (THD_DEMO_SERVE=0 stops before serving). Extra arguments go to `thd check` (e.g. --phase REC).
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

[ "${THD_DEMO_SERVE:-1}" = 0 ] && exit 0

# The API, open for reading (--public); the delegatee's token syncs the acceptance of one SRO zone.
port="${THD_PORT:-8080}"
base="http://127.0.0.1:$port"
token=$(target/release/thd token create --org "délégataire (démo)" --role delegatee --grant "22-echantillon" 2> /dev/null)
target/release/thd serve --addr "127.0.0.1:$port" --public &
server=$!
trap 'kill $server 2> /dev/null || true' EXIT INT TERM
for _ in $(seq 100); do curl -sf "$base/api/health" > /dev/null && break; sleep 0.1; done
delivery=$(curl -sf "$base/api/deliveries" | python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["id"])')
zone=$(curl -sf "$base/api/acceptance/subjects?delivery=$delivery&kind=sro" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["subject"]["code"])')
step() { # idempotency key, expected version, transition JSON
  curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $token" -H "Idempotency-Key: demo-$delivery-$zone-$1" \
    -H "content-type: application/json" "$base/api/acceptance/transitions" \
    -d "{\"subject\": {\"kind\": \"sro\", \"delivery_id\": $delivery, \"code\": \"$zone\"}, \"expected_version\": $2, \"transition\": $3}"
}
step 1 1 '{"to": "under_inspection"}' > /dev/null
step 2 2 '{"to": "accepted"}' > /dev/null
step 3 3 '{"to": "in_operation", "date": "2026-03-01"}' > /dev/null
echo
echo "zone $zone prise en exploitation par le délégataire"
echo "tableau de bord : $base/   API : $base/api/deliveries (décrite par $base/api/openapi.json)"
echo "services numériques : $base/#/services   API : $base/api/services"
echo "Ctrl-C pour arrêter le serveur."
wait $server
