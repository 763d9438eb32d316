#!/usr/bin/env bash
# Load on the HTTP API over loopback, with wrk: the stats and map-layer endpoints at 200 concurrent clients (p50,
# p99, requests/s) and acceptance sync writes per second on SQLite. Generates a delivery of PLUGS plugs (default
# 100 000; 1 450 000 for the region), imports it into a fresh SQLite store, serves it with `thd serve --public`
# (release build) and prints a Markdown table with the machine's size.
# Usage: scripts/bench_api.sh [PLUGS] [SECONDS]      (installs Debian's wrk when it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
plugs=${1:-100000}
seconds=${2:-15}
if ! command -v wrk > /dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq wrk > /dev/null || { echo "bench_api: wrk is missing and could not be installed (apt-get install wrk)" >&2; exit 2; }
fi
cargo build --release --quiet --bin thd
THD=$PWD/target/release/thd
WORK="${TMPDIR:-/tmp}/thd-bench-api"
mkdir -p "$WORK"
delivery="$WORK/g$plugs"
[ -d "$delivery" ] || "$THD" generate --plugs "$plugs" --seed 4 --out "$delivery" --force > /dev/null
db="$WORK/store-$plugs.gpkg"
rm -f "$db" "$db"-wal "$db"-shm
"$THD" import "$delivery" --db "$db" --zone bench > /dev/null
token=$("$THD" token create --db "$db" --org bench --role admin --grant '*' 2> /dev/null)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
RUST_LOG=warn "$THD" serve --db "$db" --addr "127.0.0.1:$port" --public > "$WORK/serve.log" 2>&1 &
server=$!
trap 'kill $server 2> /dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$base/api/health" > /dev/null && break; sleep 0.1; done

# Warm the cache (the first request loads and decodes the delivery: timed, it is what the first dashboard
# visitor after a restart waits for); views centred on the network covering a
# tenth and a hundredth of its extent (the second is what the dashboard asks at street zoom).
first=$(curl -sf -o /dev/null -w '%{time_total}' "$base/api/deliveries/1/stats")
view() { # fraction of the extent's area
  curl -sf "$base/api/deliveries/1/layers" | python3 -c '
import json, math, sys
layer = next(l for l in json.load(sys.stdin) if l["name"] == "t_cheminement")
w, s, e, n = layer["bbox"]
half = math.sqrt(float(sys.argv[1])) / 2
cx, cy = (w + e) / 2, (s + n) / 2
dx, dy = (e - w) * half, (n - s) * half
print(f"{cx - dx},{cy - dy},{cx + dx},{cy + dy}")' "$1"
}

measure() { # name, url
  local out
  out=$(wrk -t 2 -c 200 -d "${seconds}s" --latency "$2")
  if grep -q "Non-2xx" <<< "$out"; then echo "bench_api: $1 answered errors:" >&2; echo "$out" >&2; exit 1; fi
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  echo "| $1 | 200 | $rps | $p50 | $p99 |"
}

echo "| endpoint ($plugs plugs) | clients | requests/s | p50 | p99 |"
echo "| --- | ---: | ---: | ---: | ---: |"
measure "stats by department" "$base/api/deliveries/1/stats?by=department"
measure "stats by commune, phase" "$base/api/deliveries/1/stats?by=commune,phase"
measure "layer t_cheminement, 1/10 of the extent" "$base/api/deliveries/1/layers/t_cheminement?bbox=$(view 0.1)&limit=5000"
measure "layer t_cheminement, 1/100 of the extent" "$base/api/deliveries/1/layers/t_cheminement?bbox=$(view 0.01)&limit=5000"
measure "services per commune (catalogue map)" "$base/api/services/communes"

# Sync writes: one wrk thread and connection per SRO zone, each cycling its zone received ↔ rejected.
zones=$(curl -sf -H "Authorization: Bearer $token" "$base/api/acceptance/subjects?delivery=1&kind=sro" |
  python3 -c 'import json, sys; print(",".join(s["subject"]["code"] for s in json.load(sys.stdin)[:16]))')
writers=$(tr ',' '\n' <<< "$zones" | wc -l)
out=$(THD_BENCH_ZONES=$zones THD_BENCH_DELIVERY=1 THD_BENCH_TOKEN=$token \
  wrk -t "$writers" -c "$writers" -d "${seconds}s" --latency -s scripts/bench_api/sync.lua "$base")
if grep -q "Non-2xx" <<< "$out"; then echo "bench_api: sync writes refused:" >&2; echo "$out" >&2; exit 1; fi
echo "| sync writes (SQLite), accepted transitions | $writers | $(awk '/Requests\/sec/ {print $2}' <<< "$out") | $(awk '$1 == "50%" {print $2}' <<< "$out") | $(awk '$1 == "99%" {print $2}' <<< "$out") |"
echo
echo "first request after start (loads and decodes the delivery): ${first} s; server peak RSS: $(awk '/VmHWM/ {printf "%.1f GiB", $2 / 1048576}' /proc/$server/status)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk and the server share them"
