#!/usr/bin/env bash
# How the whole check (catalogue + graph controls) scales with the delivery: generates clean GraceTHD 2.0.1
# deliveries of growing size (seed 7, with the fibre-level table) and times `thd check` on each, three runs, the fastest kept. Prints a
# Markdown table: plugs, rows, decode seconds, check seconds, check time per 1 000 plugs (flat = linear).
# Usage: scripts/bench_check.sh [PLUGS ...]   (default: 10000 100000 1000000; needs ~7 GB of disk for 1 M)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin thd
THD=target/release/thd
WORK="${TMPDIR:-/tmp}/thd-bench-check"
mkdir -p "$WORK"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 1000000)
echo "| plugs | rows | decode (s) | check (s) | check ms per 1 000 plugs |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for plugs in "${sizes[@]}"; do
  out="$WORK/g$plugs"
  [ -d "$out" ] || "$THD" generate --plugs "$plugs" --seed 7 --fibres --out "$out" --force > /dev/null
  rows=$(python3 -c "import json,sys; print(sum(json.load(open(sys.argv[1]))['counts'].values()))" "$out.manifest.json")
  best_decode=""; best_check=""
  for _ in 1 2 3; do
    line=$("$THD" check "$out" --show 0 2>/dev/null | head -1 || true)
    decode=$(sed -E 's/.*décodée en ([0-9.]+) s.*/\1/' <<< "$line")
    check=$(sed -E 's/.*contrôlée en ([0-9.]+) s.*/\1/' <<< "$line")
    if [ -z "$best_check" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$check" "$best_check"; then
      best_check=$check; best_decode=$decode
    fi
  done
  per=$(python3 -c "import sys; print(f'{float(sys.argv[1]) * 1e6 / int(sys.argv[2]):.2f}')" "$best_check" "$plugs")
  echo "| $plugs | $rows | $best_decode | $best_check | $per |"
done
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
