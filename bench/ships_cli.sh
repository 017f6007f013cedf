#!/usr/bin/env bash
# How long `tidemark ships` takes for 10,000 ships: 100 hosts x 100 ships x 7
# urbit_ship_* series x 2 samples, imported into a fresh --insecure controller;
# times the table and --json twice each, then once more after `tidemark compact`
# (every head sealed: the last values come from chunks).
#   bash bench/ships_cli.sh [BIN_DIR (default build/bin)]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build/bin}")
W=$(mktemp -d /tmp/tidemark-ships-cli.XXXXXX)
trap 'kill $cpid 2>/dev/null; wait $cpid 2>/dev/null; rm -rf $W' EXIT
now=$(date +%s)
python3 - "$now" > $W/ships.om <<'PY'
import sys
now = int(sys.argv[1])
out = sys.stdout
for h in range(100):
    for s in range(100):
        lab = f'host="host-{h:03d}",pier="/srv/piers/ship-{s:03d}",ship="ship-{s:03d}"'
        for t in (now - 20, now - 10):
            for m, v in (("urbit_ship_up", 1), ("urbit_ship_pier_bytes", 5e9 + s), ("urbit_ship_loom_bytes", 2**31),
                         ("urbit_ship_loom_use_ratio", 0.3), ("urbit_ship_rss_bytes", 3e8 + t % 7),
                         ("urbit_ship_cpu_seconds_total", t - now + 100), ("urbit_ship_seconds_since_pack", 86400 + t - now)):
                out.write(f"{m}{{{lab}}} {v} {t}\n")
out.write("# EOF\n")
PY
"$BIN/tidemark-controller" --data-dir $W/data --listen 'tcp://127.0.0.1:*' --admin-socket $W/s --insecure 2> $W/c.log &
cpid=$!
for _ in $(seq 100); do "$BIN/tidemark" --socket $W/s status >/dev/null 2>&1 && break; sleep 0.1; done
"$BIN/tidemark" --socket $W/s import openmetrics $W/ships.om
for mode in --json "" --json ""; do
  start=$(date +%s%N)
  "$BIN/tidemark" --socket $W/s ships $mode > $W/out
  end=$(date +%s%N)
  echo "tidemark ships $mode: $(( (end - start) / 1000000 )) ms, $(wc -l < $W/out) lines"
done
head -3 $W/out
"$BIN/tidemark" --socket $W/s compact > /dev/null
start=$(date +%s%N); "$BIN/tidemark" --socket $W/s ships --json > $W/out; end=$(date +%s%N)
echo "after compact (heads empty, chunk reads): $(( (end - start) / 1000000 )) ms"
