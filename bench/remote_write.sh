#!/usr/bin/env bash
# Remote write throughput and cost.
#
# 1. The encode+compress micro-benchmark (tidemark_bench BM_EncodeAndCompress): samples/s
#    per core of what each shard's sender does per request.
# 2. N samples (SERIES series on a 10 s grid ending now) imported with
#    `tidemark import openmetrics` into a real controller twice: without remote write
#    (the baseline) and with [remote_write] pointing at VictoriaMetrics on loopback.
#    The second run is timed from the import's start until `tidemark status` says every
#    sample was delivered; the controller's CPU seconds (utime+stime from /proc) of
#    both runs give the cost of exporting, per 1M samples.
# Prints, last, the line
#   remote_write samples=N export_samples_per_s=X cpu_s_per_1M_total=Y cpu_s_per_1M_baseline=Z cpu_s_per_1M_export=Y-Z
# Env: N (default 1000000), SERIES (default 1000), SHARDS (default 4), BUILD (default
#      build), WORK (scratch dir), KEEP=1 keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
SERIES=${SERIES:-1000}
SHARDS=${SHARDS:-4}
BUILD=${BUILD:-build}
KEEP=${KEEP:-0}
WORK=${WORK:-$(mktemp -d /tmp/tidemark-rw-bench.XXXXXX)}
mkdir -p "$WORK"

# shellcheck source=bench/lib.sh
source bench/lib.sh
log() { echo "remote_write: $*" >&2; }
die() { log "$*"; exit 1; }
command -v victoria-metrics > /dev/null || die "install victoria-metrics (make deps)"
command -v curl > /dev/null || die "install curl"

controller_pid=""
vm_pid=""
cleanup() {
  [ -n "$controller_pid" ] && kill "$controller_pid" 2> /dev/null || true
  [ -n "$vm_pid" ] && kill "$vm_pid" 2> /dev/null || true
  wait 2> /dev/null || true
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT


# --- 1. micro-benchmark ---------------------------------------------------------
if [ -x "$BUILD/bin/tidemark_bench" ]; then
  "$BUILD/bin/tidemark_bench" --benchmark_filter=EncodeAndCompress --benchmark_min_time=0.5 \
    2> /dev/null | grep -E "BM_|Benchmark" >&2 || true
else
  log "no $BUILD/bin/tidemark_bench: skipping the micro-benchmark"
fi

# --- 2. dataset --------------------------------------------------------------------
per_series=$(( N / SERIES ))
samples=$(( per_series * SERIES ))
start=$(( $(date +%s) - per_series * 10 ))
dataset="$WORK/rw.om"
awk -v series="$SERIES" -v per="$per_series" -v start="$start" 'BEGIN {
  for (s = 0; s < series; s++) {
    for (k = 0; k < per; k++) {
      printf "rwbench_value{instance=\"node-%03d:9100\",idx=\"%d\"} %.2f %d.%03d\n",
             s % 100, s, 1000 + s + k * 0.25, start + k * 10, s % 1000
    }
  }
  print "# EOF"
}' > "$dataset"
log "dataset: $samples samples in $SERIES series ($(stat -c %s "$dataset") bytes)"

start_victoria_metrics "$WORK/vm" "$WORK/victoria-metrics.log" || die "victoria-metrics did not start"

# run NAME [controller flags...]: imports the dataset; sets run_cpu and run_wall.
run() {
  local name=$1; shift
  local sock="$WORK/$name.sock"
  local port=$(( 20000 + RANDOM % 20000 ))
  "$BUILD/bin/tidemark-controller" --data-dir "$WORK/$name" --listen "tcp://127.0.0.1:$port" \
    --admin-socket "$sock" --insecure --log-level warn "$@" > "$WORK/$name.log" 2>&1 &
  controller_pid=$!
  for _ in $(seq 100); do
    "$BUILD/bin/tidemark" --socket "$sock" --timeout 1 status > /dev/null 2>&1 && break
    sleep 0.1
  done
  local cpu0 t0
  cpu0=$(cpu_s "$controller_pid")
  t0=$(now_s)
  "$BUILD/bin/tidemark" --socket "$sock" --timeout 600 import openmetrics "$dataset" \
    > "$WORK/$name-import.log" 2>&1 || die "import failed: $(tail -3 "$WORK/$name-import.log")"
  if [ $# -gt 0 ]; then
    for _ in $(seq 600); do
      sent=$("$BUILD/bin/tidemark" --socket "$sock" status --json | tr -d ' \n' | \
             sed -n 's/.*"samples_sent":\([0-9]*\).*/\1/p')
      [ "${sent:-0}" -ge "$samples" ] && break
      sleep 0.1
    done
    [ "${sent:-0}" -ge "$samples" ] || die "only ${sent:-0} of $samples delivered"
  fi
  run_wall=$(elapsed "$t0" "$(now_s)")
  run_cpu=$(awk -v a="$cpu0" -v b="$(cpu_s "$controller_pid")" 'BEGIN {printf "%.2f", b - a}')
  log "$name: ${run_wall} s wall, ${run_cpu} CPU s ($(tail -1 "$WORK/$name-import.log"))"
  kill -TERM "$controller_pid"; wait "$controller_pid" 2> /dev/null || true
  controller_pid=""
}

run baseline
base_cpu=$run_cpu
run export --remote-write-url "$vm_url/api/v1/write" --remote-write-shards "$SHARDS"
awk -v n="$samples" -v wall="$run_wall" -v cpu="$run_cpu" -v base="$base_cpu" 'BEGIN {
  m = n / 1e6
  printf "remote_write samples=%d export_samples_per_s=%.0f cpu_s_per_1M_total=%.2f cpu_s_per_1M_baseline=%.2f cpu_s_per_1M_export=%.2f\n",
         n, n / wall, cpu / m, base / m, (cpu - base) / m
}'
