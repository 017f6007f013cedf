#!/usr/bin/env bash
# CPU cost of one collection of this host: Tidemark's collectors against
# node_exporter restricted to the same collectors, measured in the same run.
#
# Tidemark: Google Benchmark's CPU time per collection (BM_CollectRealHost: every
# host collector into an encoded-ready batch) plus the encode of that batch.
# node_exporter: the CPU time its process spends per scrape (utime+stime from
# /proc/PID/stat over N scrapes), which includes collection and text exposition.
# Prints the ratio as its last line. Installs prometheus-node-exporter if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SCRAPES=${SCRAPES:-300}
BUILD=${BUILD:-build}

if ! command -v prometheus-node-exporter > /dev/null; then
  echo "installing prometheus-node-exporter (Debian package)" >&2
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y -qq prometheus-node-exporter curl > /dev/null
  # The package starts a system service; keep the measurement to our own instance.
  $SUDO systemctl stop prometheus-node-exporter 2> /dev/null || true
fi
[ -x "$BUILD/bin/tidemark_bench" ] || { cmake --preset default > /dev/null && cmake --build "$BUILD" -j2 --target tidemark_bench; }

port=$(( 20000 + RANDOM % 20000 ))
collectors=(cpu loadavg pressure meminfo vmstat filefd diskstats netdev netstat filesystem stat cpufreq)
flags=(--collector.disable-defaults --web.listen-address="127.0.0.1:$port")
for c in "${collectors[@]}"; do flags+=("--collector.$c"); done
prometheus-node-exporter "${flags[@]}" > /tmp/node_exporter_bench.log 2>&1 &
ne_pid=$!
trap 'kill $ne_pid 2> /dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/metrics" > /dev/null && break; sleep 0.1; done

ne_samples=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -v '^#' | grep -c '^node_' || true)
before=$(cpu_ticks $ne_pid)
for _ in $(seq "$SCRAPES"); do curl -sf "http://127.0.0.1:$port/metrics" > /dev/null; done
after=$(cpu_ticks $ne_pid)
ticks_per_s=$(getconf CLK_TCK)
ne_us=$(awk -v t=$((after - before)) -v n="$SCRAPES" -v hz="$ticks_per_s" 'BEGIN {printf "%.1f", t / hz / n * 1e6}')

json=$("$BUILD/bin/tidemark_bench" --benchmark_filter='BM_CollectRealHost|BM_EncodeBatch/300/0$' \
        --benchmark_format=json --benchmark_min_time=1 2> /dev/null)
read -r tm_collect_ns tm_samples tm_encode_ns < <(python3 -c '
import json, sys
runs = {b["name"]: b for b in json.load(sys.stdin)["benchmarks"]}
c = next(v for k, v in runs.items() if k.startswith("BM_CollectRealHost")); e = runs["BM_EncodeBatch/300/0"]
print(c["cpu_time"], int(c["samples"]), e["cpu_time"])' <<< "$json")
tm_us=$(awk -v c="$tm_collect_ns" -v e="$tm_encode_ns" 'BEGIN {printf "%.1f", (c + e) / 1000}')

echo "node_exporter: ${ne_samples} node_* samples per scrape, ${ne_us} us CPU per scrape (${SCRAPES} scrapes)"
echo "tidemark:      ${tm_samples} samples per collection, ${tm_us} us CPU per collection + encode"
awk -v t="$tm_us" -v n="$ne_us" -v ts="$tm_samples" -v ns="$ne_samples" 'BEGIN {
  printf "cpu_us_per_collection tidemark=%s node_exporter=%s ratio=%.1fx cpu_ns_per_sample tidemark=%.0f node_exporter=%.0f\n",
         t, n, n / t, t * 1000 / ts, n * 1000 / ns }'
