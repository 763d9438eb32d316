#!/usr/bin/env bash
# The dashboard's browser tests: builds `thd` (debug), makes a sample store (two
# deliveries of one zone, the second with injected defects; a phase mapping with past due dates so zones are
# late; acceptance transitions leaving an open reservation and a zone in operation), serves it on a free port
# with --public, and runs tests/browser/dashboard.mjs in headless Chromium with a token for the upload.
# Installs nothing but playwright-core (`npm ci` in tests/browser); needs /usr/bin/chromium (Debian's
# `chromium` package) or THD_CHROMIUM. Screenshots go to target/screenshots/. Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
shots="$root/target/screenshots"
chromium="${THD_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "browser_test: no Chromium at $chromium (apt-get install chromium)" >&2; exit 2; }

cargo build --quiet -p thd-cli
thd="$target/debug/thd"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
db="$work/store.gpkg"
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log($1)})"; }

echo "== sample store in $work"
"$thd" generate --plugs 3000 --seed 4 --department 35 --out "$work/first" >/dev/null
"$thd" generate --plugs 3000 --seed 4 --department 35 --defects 30 --out "$work/second" >/dev/null
"$thd" generate --plugs 300 --seed 7 --department 35 --defects 5 --out "$work/upload.zip" >/dev/null
"$thd" import "$work/first" --db "$db" --zone 35-Z1 >/dev/null
"$thd" import "$work/second" --db "$db" --zone 35-Z1 >/dev/null
token="$("$thd" token create --db "$db" --org DSP --role admin --grant '*' 2>/dev/null | tail -n 1)"
# Half the SRO zones in a phase due in 2023 (late now), the rest in one due in 2030.
sros="$("$thd" stats "$work/second" --by sro --format json | json "v.rows.map(r => r.key[0]).join(' ')")"
{
  echo "scope,code,phase,tranche,contractor,due"
  i=0
  for sro in $sros; do
    if [ $((i % 2)) -eq 0 ]; then echo "sro,$sro,phase_2,t1,Vilaine Fibre,2023-06-30"; else echo "sro,$sro,phase_3,t2,Oust Réseaux,2030-12-31"; fi
    i=$((i + 1))
  done
} > "$work/phases.csv"

# A free port, then the server on it: any server taking `--db --addr --public --phases` will do (today the
# dashboard example; `thd serve` once it mounts the dashboard).
port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
url="http://127.0.0.1:$port"
"$thd" serve --db "$db" --addr "127.0.0.1:$port" --public --phases "$work/phases.csv" > "$work/server.log" 2>&1 &
server_pid=$!
until curl -sf "$url/api/health" >/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "browser_test: the server did not start" >&2; exit 1; }
  sleep 0.1
done
echo "== serving on $url"

# Acceptance: the second delivery's first SRO accepted with a reservation, its second one taken into operation.
transition() { # subject-code expected-version transition-json
  curl -sf -H "Authorization: Bearer $token" -H "Idempotency-Key: $(node -e 'console.log(crypto.randomUUID())')" \
    -H 'content-type: application/json' \
    -d "{\"subject\": {\"kind\": \"sro\", \"delivery_id\": 2, \"code\": \"$1\"}, \"expected_version\": $2, \"transition\": $3}" \
    "$url/api/acceptance/transitions" >/dev/null
}
set -- $sros
reservation="BP-TEST-0001"
transition "$1" 1 '{"to": "under_inspection"}'
transition "$1" 2 "{\"to\": \"accepted_with_reservations\", \"reservations\": [{\"object_code\": \"$reservation\", \"reason\": \"étiquetage absent\", \"due_on\": \"2024-02-15\"}]}"
transition "$2" 1 '{"to": "under_inspection"}'
transition "$2" 2 '{"to": "accepted"}'
transition "$2" 3 '{"to": "in_operation", "date": "2024-03-01"}'

rm -rf "$shots"
THD_URL="$url" THD_TOKEN="$token" THD_UPLOAD="$work/upload.zip" THD_RESERVATION="$reservation" \
  THD_SCREENSHOTS="$shots" THD_CHROMIUM="$chromium" node tests/browser/dashboard.mjs
