#!/usr/bin/env bash
# Storage cost and bulk-import speed of Tidemark's store against Prometheus' TSDB and
# VictoriaMetrics, on the same generated fleet history.
#
# 1. tidemark-bench-dataset writes HOSTS x SERIES node_exporter-like series over HOURS
#    at INTERVAL seconds (ms jitter) as OpenMetrics, ending an hour ago (inside every
#    store's retention).
# 2. Tidemark: a controller on a temp dir and socket; `tidemark import openmetrics`
#    (wall time, its validation pass included); then `tidemark compact` (seals every
#    head and compacts RocksDB; not timed); bytes = the whole data dir (SST, WAL,
#    manifest, options) after the controller stops. When the controller has no compact
#    request, the live data dir is measured as it is (said in the table).
# 3. Prometheus: `promtool tsdb create-blocks-from openmetrics` (wall time); bytes = the
#    blocks it wrote (2 h blocks: promtool does not compact them further, a running
#    Prometheus would).
# 4. VictoriaMetrics on loopback: POST to /api/v1/import/prometheus, then
#    /internal/force_flush (wall time of both); then /internal/force_merge and wait for
#    merges to finish; bytes = its data and indexdb folders.
# Prints a per-peer table and, last, the line
#   bytes_per_sample tidemark=X prometheus=Y victoriametrics=Z import_samples_per_s tidemark=A prometheus=B victoriametrics=C
# Installs prometheus and victoria-metrics (Debian packages) when missing.
# Env: HOSTS SERIES HOURS INTERVAL SEED (scale), BUILD (build dir, default build),
#      WORK (scratch dir, default a new one under /tmp), KEEP=1 keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-4}
SERIES=${SERIES:-300}
HOURS=${HOURS:-24}
INTERVAL=${INTERVAL:-10}
SEED=${SEED:-1}
BUILD=${BUILD:-build}
KEEP=${KEEP:-0}
WORK=${WORK:-$(mktemp -d /tmp/tidemark-store-bench.XXXXXX)}
mkdir -p "$WORK"

# shellcheck source=bench/lib.sh
source bench/lib.sh
log() { echo "store_vs_peers: $*" >&2; }
die() { log "$*"; exit 1; }

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
missing=()
command -v promtool > /dev/null || missing+=(prometheus)
command -v victoria-metrics > /dev/null || missing+=(victoria-metrics)
command -v curl > /dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (Debian packages)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
  # The packages start system services where systemd runs; measure our own instances only.
  $SUDO systemctl stop prometheus victoria-metrics 2> /dev/null || true
fi
for target in tidemark tidemark-controller tidemark-bench-dataset; do
  if [ ! -x "$BUILD/bin/$target" ]; then
    [ -f "$BUILD/CMakeCache.txt" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD" -j2 --target tidemark tidemark-controller tidemark-bench-dataset > /dev/null
    break
  fi
done

controller_pid=""
vm_pid=""
cleanup() {
  [ -n "$controller_pid" ] && kill "$controller_pid" 2> /dev/null || true
  [ -n "$vm_pid" ] && kill "$vm_pid" 2> /dev/null || true
  wait 2> /dev/null || true
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

bytes_of() { du -sb "$@" | awk '{s += $1} END {print s + 0}'; }

# --- dataset ---------------------------------------------------------------------
interval_ms=$(awk -v i="$INTERVAL" 'BEGIN {printf "%d", i * 1000}')
start=$(( ($(date +%s) - HOURS * 3600 - 3600) / 10 * 10 ))
dataset="$WORK/fleet.om"
log "generating $HOSTS hosts x $SERIES series x ${HOURS} h at ${INTERVAL} s into $dataset"
t0=$(now_s)
"$BUILD/bin/tidemark-bench-dataset" --hosts "$HOSTS" --series "$SERIES" --hours "$HOURS" \
  --interval-s "$INTERVAL" --seed "$SEED" --start "$start" --out "$dataset" 2> "$WORK/dataset.log"
gen_s=$(elapsed "$t0" "$(now_s)")
samples=$(sed -n 's/.*: \([0-9]*\) samples .*/\1/p' "$WORK/dataset.log")
[ -n "$samples" ] && [ "$samples" -gt 0 ] || die "dataset generator said: $(cat "$WORK/dataset.log")"
dataset_bytes=$(stat -c %s "$dataset")
log "$(cat "$WORK/dataset.log") (${gen_s} s wall)"

# --- Tidemark --------------------------------------------------------------------
tm_dir="$WORK/tidemark"
tm_sock="$WORK/tidemark.sock"
port=$(( 20000 + RANDOM % 20000 ))
"$BUILD/bin/tidemark-controller" --data-dir "$tm_dir" --listen "tcp://127.0.0.1:$port" \
  --admin-socket "$tm_sock" --insecure --log-level warn > "$WORK/controller.log" 2>&1 &
controller_pid=$!
for _ in $(seq 100); do
  "$BUILD/bin/tidemark" --socket "$tm_sock" --timeout 1 status > /dev/null 2>&1 && break
  sleep 0.1
done
log "tidemark: importing"
t0=$(now_s)
"$BUILD/bin/tidemark" --socket "$tm_sock" --timeout 600 import openmetrics "$dataset" \
  > "$WORK/tidemark-import.log" 2>&1 || die "tidemark import failed: $(tail -5 "$WORK/tidemark-import.log")"
tm_s=$(elapsed "$t0" "$(now_s)")
log "tidemark: $(tail -1 "$WORK/tidemark-import.log")"
tm_note="after compact, controller stopped"
t0=$(now_s)
if "$BUILD/bin/tidemark" --socket "$tm_sock" --timeout 3600 compact > "$WORK/tidemark-compact.log" 2>&1; then
  log "tidemark: $(cat "$WORK/tidemark-compact.log") ($(elapsed "$t0" "$(now_s)") s)"
else
  tm_note="live SST+WAL, no compact request: $(head -c 80 "$WORK/tidemark-compact.log")"
fi
kill -TERM "$controller_pid"
wait "$controller_pid" 2> /dev/null || true
controller_pid=""
tm_bytes=$(bytes_of "$tm_dir")

# --- Prometheus ------------------------------------------------------------------
prom_dir="$WORK/prometheus"
mkdir -p "$prom_dir"
log "prometheus: promtool tsdb create-blocks-from openmetrics"
t0=$(now_s)
promtool tsdb create-blocks-from openmetrics --quiet "$dataset" "$prom_dir" > "$WORK/promtool.log" 2>&1 \
  || die "promtool failed: $(tail -5 "$WORK/promtool.log")"
prom_s=$(elapsed "$t0" "$(now_s)")
prom_bytes=$(bytes_of "$prom_dir")
prom_blocks=$(find "$prom_dir" -mindepth 1 -maxdepth 1 -type d | wc -l)

# --- VictoriaMetrics -------------------------------------------------------------
vm_dir="$WORK/victoria-metrics"
start_victoria_metrics "$vm_dir" "$WORK/victoria-metrics.log" || die "victoria-metrics did not start"
log "victoriametrics: importing"
t0=$(now_s)
# -T streams the file (--data-binary @FILE would read all of it into memory first).
curl -sSf -X POST -H 'Content-Type: text/plain' -T "$dataset" "$vm_url/api/v1/import/prometheus" \
  || die "victoria-metrics import failed: $(tail -5 "$WORK/victoria-metrics.log")"
curl -sSf "$vm_url/internal/force_flush" > /dev/null
vm_s=$(elapsed "$t0" "$(now_s)")
curl -sSf "$vm_url/internal/force_merge" > /dev/null
# force_merge returns before the merge ends: wait until no merge runs and sizes settle.
previous=-1
for _ in $(seq 600); do
  sleep 2
  active=$(curl -sf "$vm_url/metrics" | awk '/^vm_active_merges/ {s += $2} END {print s + 0}')
  size=$(bytes_of "$vm_dir/data" "$vm_dir/indexdb")
  [ "$active" = 0 ] && [ "$size" = "$previous" ] && break
  previous=$size
done
vm_bytes=$(bytes_of "$vm_dir/data" "$vm_dir/indexdb")
vm_rows=$(curl -sf "$vm_url/metrics" | awk '/^vm_rows\{type="storage\/(big|small)"\}/ {s += $2} END {printf "%d", s}')
kill -TERM "$vm_pid"
wait "$vm_pid" 2> /dev/null || true
vm_pid=""
[ "$vm_rows" = "$samples" ] || log "victoriametrics: holds $vm_rows rows for $samples samples"

# --- report ----------------------------------------------------------------------
per_sample() { awk -v b="$1" -v n="$samples" 'BEGIN {printf "%.3f", b / n}'; }
per_second() { awk -v s="$1" -v n="$samples" 'BEGIN {printf "%.0f", n / s}'; }
echo "dataset: $HOSTS hosts x $SERIES series x ${HOURS} h at ${INTERVAL} s = $samples samples," \
     "$dataset_bytes bytes of OpenMetrics (generated in ${gen_s} s)"
printf '%-16s %10s %14s %14s %12s  %s\n' PEER IMPORT_S SAMPLES_PER_S BYTES BYTES/SAMPLE MEASURED
printf '%-16s %10s %14s %14s %12s  %s\n' tidemark "$tm_s" "$(per_second "$tm_s")" "$tm_bytes" \
  "$(per_sample "$tm_bytes")" "data dir, $tm_note"
printf '%-16s %10s %14s %14s %12s  %s\n' prometheus "$prom_s" "$(per_second "$prom_s")" "$prom_bytes" \
  "$(per_sample "$prom_bytes")" "promtool blocks dir, $prom_blocks blocks"
printf '%-16s %10s %14s %14s %12s  %s\n' victoriametrics "$vm_s" "$(per_second "$vm_s")" "$vm_bytes" \
  "$(per_sample "$vm_bytes")" "data+indexdb after force_flush and force_merge"
echo "bytes_per_sample tidemark=$(per_sample "$tm_bytes") prometheus=$(per_sample "$prom_bytes")" \
     "victoriametrics=$(per_sample "$vm_bytes") import_samples_per_s tidemark=$(per_second "$tm_s")" \
     "prometheus=$(per_second "$prom_s") victoriametrics=$(per_second "$vm_s")"
