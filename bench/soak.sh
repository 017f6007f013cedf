#!/usr/bin/env bash
# Fleet soak: one CurveZMQ controller on loopback against tidemark-fleet-sim's
# simulated agents, then the controller's memory and what it stored.
#
#   AGENTS=10000 SERIES=300 INTERVAL=10s DURATION=120s bash bench/soak.sh
#
# Environment: AGENTS (10000), SERIES (300), INTERVAL (10s), DURATION (120s),
# DRAIN (30s), WARMUP (0s: rate and ack latency over the whole run; e.g. 120s reports
# the steady state after the start, when every agent connects and announces its series),
# RAMP (0s: every agent joins in the first interval; 60s: a sixth of them per 10 s
# interval), REMOTE_WRITE (empty; "vm": a VictoriaMetrics on loopback receives every
# sample through the controller's remote write, the run waits for the queue to drain
# before it reads the controller's CPU, and the last line gains rw_* and vm_* fields;
# "url" + RW_URL: an external endpoint), CONTROLLER_ARGS (more controller flags), THREADS (2, simulator worker threads), SIM_ARGS (more simulator flags,
# e.g. "--processes 2"), LOGS (where the last run's logs are kept), BUILD (build; binaries in $BUILD/bin, built with the
# default preset when missing, or always with REBUILD=1).
#
# Starts the controller in a temp dir (keys from `tidemark keys generate`, data dir,
# admin socket, --listen tcp://127.0.0.1:*), enrols the simulated agents by writing
# their keys into its pki dir (accepted/HOST, as Ansible does), runs the simulator,
# then reads the controller's VmRSS/VmHWM and `tidemark status/hosts --json`, checks
# that the samples stored equal the samples the simulator saw acked, and stops
# everything. Raises `ulimit -n` (the hard limit too when allowed): every agent
# costs the simulator two descriptors and the controller one.
#
# Last line, everything in one (the simulator's numbers, then the controller's):
#   soak agents=N series=S interval_s=I duration_s=D samples_per_s=X ack_p50_ms=A
#        ack_p99_ms=B controller_rss_mb=R samples_lost=L stored_minus_acked=M
#        controller_hwm_mb=H controller_cpu_pct=C samples_stored=T samples_acked=K
#        warmup_s=W handshake_p99_ms=.. connect_p99_ms=.. resent_batches=.. sim_cpu_pct=.. load1_mean=..
# ("na" where the controller could not tell: died or did not answer.)
# Exit status: 0 when nothing was lost, stored == acked and the simulator succeeded;
# non-zero otherwise. Logs of the last run are kept in LOGS ($BUILD/soak-logs).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
AGENTS=${AGENTS:-10000}
SERIES=${SERIES:-300}
INTERVAL=${INTERVAL:-10s}
DURATION=${DURATION:-120s}
DRAIN=${DRAIN:-30s}
WARMUP=${WARMUP:-0s}
RAMP=${RAMP:-0s}
THREADS=${THREADS:-2}
BUILD=${BUILD:-build}
BIN=$BUILD/bin

# "1m30s" -> 90 (units ms, s, m, h), for the timeout around the simulator.
seconds() {
  local text=$1 total=0
  while [[ $text =~ ^([0-9]+)(ms|s|m|h)(.*)$ ]]; do
    case ${BASH_REMATCH[2]} in
      ms) total=$((total + (BASH_REMATCH[1] + 999) / 1000)) ;;
      s) total=$((total + BASH_REMATCH[1])) ;;
      m) total=$((total + BASH_REMATCH[1] * 60)) ;;
      h) total=$((total + BASH_REMATCH[1] * 3600)) ;;
    esac
    text=${BASH_REMATCH[3]}
  done
  [[ -z $text ]] || { echo "soak.sh: cannot read the duration '$1'" >&2; exit 2; }
  echo "$total"
}
limit_s=$(( $(seconds "$DURATION") + $(seconds "$DRAIN") + $(seconds "$INTERVAL") + 180 ))

targets=(tidemark-fleet-sim tidemark-controller tidemark)
missing=0
for t in "${targets[@]}"; do [[ -x $BIN/$t ]] || missing=1; done
if [[ $missing == 1 || ${REBUILD:-0} == 1 ]]; then
  if [[ $BUILD == build ]]; then
    cmake --preset default > /dev/null
  else
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
  fi
  cmake --build "$BUILD" -j2 --target "${targets[@]}"
fi

# Descriptors: the simulator needs 2 per agent, the controller 1 per agent.
# Raise the hard limit when allowed (root with CAP_SYS_RESOURCE); the simulator
# spreads its agents over several processes when one cannot hold them all.
want=$(( AGENTS * 2 + 4096 ))
hard=$(ulimit -Hn)
if [[ $hard != unlimited && $hard -lt $want ]] && ulimit -Hn "$want" 2> /dev/null; then
  hard=$want
fi
ulimit -Sn "$hard"
if [[ $hard != unlimited && $hard -lt $(( AGENTS + 1024 )) ]]; then
  echo "soak.sh: the controller needs about $(( AGENTS + 1024 )) open files for $AGENTS agents," \
       "but the hard limit is $hard: raise it as root (ulimit -Hn, limits.conf, LimitNOFILE=)" >&2
  exit 2
fi

T=$(mktemp -d /tmp/tidemark-soak.XXXXXX)
# The logs of the last run outlive the temp dir (the data dir does not).
LOGS=${LOGS:-$BUILD/soak-logs}
ctl_pid="" sim_pid="" sampler_pid="" vm_pid=""
cleanup() {
  [[ -n $vm_pid ]] && kill "$vm_pid" 2> /dev/null || true
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2> /dev/null || true
  [[ -n $sim_pid ]] && kill "$sim_pid" 2> /dev/null || true
  if [[ -n $ctl_pid ]] && kill -0 "$ctl_pid" 2> /dev/null; then
    kill -TERM "$ctl_pid" 2> /dev/null || true
    for _ in $(seq 100); do kill -0 "$ctl_pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$ctl_pid" 2> /dev/null || true
  fi
  wait 2> /dev/null || true
  mkdir -p "$LOGS" && for f in controller.log sim.out sim.err rss.log; do
    [[ -f $T/$f ]] && cp "$T/$f" "$LOGS/$f"
  done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rw_args=()
case ${REMOTE_WRITE:-} in
  "") ;;
  vm)
    command -v victoria-metrics > /dev/null || { echo "soak.sh: REMOTE_WRITE=vm needs victoria-metrics (apt-get install victoria-metrics)" >&2; exit 2; }
    start_victoria_metrics "$T/vm" "$T/victoria-metrics.log" || exit 1
    rw_args=(--remote-write-url "$vm_url/api/v1/write") ;;
  url) rw_args=(--remote-write-url "${RW_URL:?REMOTE_WRITE=url needs RW_URL}") ;;
  *) echo "soak.sh: REMOTE_WRITE=$REMOTE_WRITE: use vm or url" >&2; exit 2 ;;
esac
# The exporter's own series (7 samples per 10 s) would make stored != acked below.
[[ ${#rw_args[@]} -gt 0 ]] && rw_args+=(--remote-write-self-metrics-interval 0s)

"$BIN/tidemark" keys generate --out "$T/controller" > /dev/null
# shellcheck disable=SC2086 # CONTROLLER_ARGS is a list of flags
"$BIN/tidemark-controller" --data-dir "$T/data" --listen 'tcp://127.0.0.1:*' \
  --admin-socket "$T/admin.sock" --curve-key "$T/controller.key" "${rw_args[@]}" ${CONTROLLER_ARGS:-} > "$T/controller.log" 2>&1 &
ctl_pid=$!
cli() { "$BIN/tidemark" --socket "$T/admin.sock" "$@"; }
endpoint=""
for _ in $(seq 100); do
  endpoint=$(cli status --json 2> /dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["listen"])' 2> /dev/null) && break
  kill -0 "$ctl_pid" 2> /dev/null || break
  sleep 0.1
done
if [[ -z $endpoint ]]; then
  echo "soak.sh: the controller did not start:" >&2
  tail -20 "$T/controller.log" >&2
  exit 1
fi
echo "controller pid $ctl_pid on $endpoint, data in $T/data, logs kept in $LOGS; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
ticks_per_s=$(getconf CLK_TCK)
ctl_ticks_before=$(cpu_ticks "$ctl_pid")
vm_ticks_before=na
[[ -n $vm_pid ]] && vm_ticks_before=$(cpu_ticks "$vm_pid")
run_started=$(date +%s)

# The controller's RSS every 10 s, to see whether it grows with time or with series.
( while kill -0 "$ctl_pid" 2> /dev/null; do
    echo "$(date +%s) $(status_kb "$ctl_pid" VmRSS) $(cpu_ticks "$ctl_pid") $(cut -d' ' -f1 /proc/loadavg)" >> "$T/rss.log"
    sleep 10
  done ) &
sampler_pid=$!

set +e
timeout --signal=INT --kill-after=30 "$limit_s" \
  "$BIN/tidemark-fleet-sim" --controller "$endpoint" --controller-pub "$T/controller.pub" \
    --pki-dir "$T/data/pki" --agents "$AGENTS" --series "$SERIES" --interval "$INTERVAL" \
    --duration "$DURATION" --drain "$DRAIN" --warmup "$WARMUP" --ramp "$RAMP" --threads "$THREADS" ${SIM_ARGS:-} > "$T/sim.out" 2> "$T/sim.err" &
sim_pid=$!
tail -f --pid="$sim_pid" "$T/sim.err" >&2 &
tail_pid=$!
wait "$sim_pid"
sim_rc=$?
sim_pid=""
wait "$tail_pid"
set -e
cat "$T/sim.out"
soak_line=$(grep '^soak ' "$T/sim.out" || true)
if [[ -z $soak_line ]]; then
  echo "soak.sh: the simulator ended (status $sim_rc) without a summary" >&2
  tail -20 "$T/controller.log" >&2
  exit 1
fi
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$soak_line"; }
acked=$(field samples_acked)
lost=$(field samples_lost)

# Everything below tolerates a dead or unresponsive controller: the last line is
# printed whatever happened, with "na" where a number could not be had.
rss_kb=na hwm_kb=na ctl_cpu_s=na stored=na hosts=na hosts_with_data=na host_samples=na
ctl_wall_s=$(( $(date +%s) - run_started ))
# With remote write, the traffic of the run costs the controller (and the receiver)
# until the queue is empty: wait for that, so both CPU figures cover all of it.
rw_fields=""
if [[ ${#rw_args[@]} -gt 0 ]] && kill -0 "$ctl_pid" 2> /dev/null; then
  rw_json() { cli status --json 2> /dev/null | python3 -c "import json, sys; r = json.load(sys.stdin)['remote_write']; print($1)" 2> /dev/null; }
  drain_started=$(date +%s)
  for _ in $(seq 600); do
    [[ $(rw_json "r['samples_pending']") == 0 ]] && break
    sleep 0.5
  done
  rw_fields="rw_sent=$(rw_json "r['samples_sent']") rw_pending=$(rw_json "r['samples_pending']")"
  rw_fields+=" rw_dropped=$(rw_json "r['samples_dropped']") rw_failed=$(rw_json "r['samples_failed']")"
  rw_fields+=" rw_drain_s=$(( $(date +%s) - drain_started ))"
  if [[ -n $vm_pid ]]; then
    vm_cpu_s=$(awk -v a="$vm_ticks_before" -v b="$(cpu_ticks "$vm_pid")" -v hz="$ticks_per_s" 'BEGIN {printf "%.1f", (b - a) / hz}')
    rw_fields+=" vm_cpu_s=${vm_cpu_s} vm_rss_mb=$(( ($(status_kb "$vm_pid" VmRSS) + 512) / 1024 ))"
  fi
fi
if kill -0 "$ctl_pid" 2> /dev/null; then
  rss_kb=$(status_kb "$ctl_pid" VmRSS)
  hwm_kb=$(status_kb "$ctl_pid" VmHWM)
  ctl_cpu_s=$(awk -v a="$ctl_ticks_before" -v b="$(cpu_ticks "$ctl_pid")" -v hz="$ticks_per_s" 'BEGIN {printf "%.1f", (b - a) / hz}')
  # A controller still working through a backlog answers the admin socket late.
  for _ in $(seq 10); do
    stored=$(cli status --json 2> /dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["samples"])' 2> /dev/null) && break
    stored=na
    sleep 3
  done
  read -r hosts hosts_with_data host_samples < <(cli hosts --json 2> /dev/null | python3 -c '
import json, sys
h = json.load(sys.stdin)["hosts"]
print(len(h), sum(1 for x in h if x["samples"] > 0), sum(x["samples"] for x in h))' 2> /dev/null || echo na na na)
else
  echo "soak.sh: the controller died:" >&2
  tail -20 "$T/controller.log" >&2
  ctl_pid=""
fi
rss_trend=$(awk '{printf "%s%.0f", (NR > 1 ? " " : ""), $2 / 1024}' "$T/rss.log" 2> /dev/null || true)
load_trend=$(awk '{printf "%s%s", (NR > 1 ? " " : ""), $4}' "$T/rss.log" 2> /dev/null || true)
load_mean=$(awk '{s += $4; n++} END {printf "%.2f", n ? s / n : 0}' "$T/rss.log" 2> /dev/null || echo na)
errors=$(grep -c -E ' (warn|error|critical) ' "$T/controller.log" || true)

if [[ -n $ctl_pid ]]; then
  kill -TERM "$ctl_pid"
  for _ in $(seq 300); do kill -0 "$ctl_pid" 2> /dev/null || break; sleep 0.1; done
  ctl_rc=0
  wait "$ctl_pid" 2> /dev/null || ctl_rc=$?
  ctl_pid=""
  [[ $ctl_rc == 0 ]] || echo "soak.sh: the controller exited with status $ctl_rc on SIGTERM" >&2
fi

echo "controller: ${ctl_cpu_s} s CPU during the run; RSS every 10 s (MB): ${rss_trend}; ${errors} warn/error log lines"
echo "load average (1 min) every 10 s: ${load_trend}"
if [[ $errors -gt 0 ]]; then grep -E ' (warn|error|critical) ' "$T/controller.log" | head -5 | sed 's/^/  /'; fi
diff=na
[[ $stored =~ ^[0-9]+$ && $acked =~ ^[0-9]+$ ]] && diff=$((stored - acked))
echo "stored: status samples=${stored}, hosts=${hosts} (${hosts_with_data} with samples, ${host_samples} samples in hosts); simulator acked ${acked}; stored - acked = ${diff}"
mb() { [[ $1 =~ ^[0-9]+$ ]] && echo $(( ($1 + 512) / 1024 )) || echo na; }
cpu_pct=na
[[ $ctl_cpu_s != na && $ctl_wall_s -gt 0 ]] && cpu_pct=$(awk -v c="$ctl_cpu_s" -v w="$ctl_wall_s" 'BEGIN {printf "%.0f", 100 * c / w}')
echo "soak agents=$(field agents) series=$(field series) interval_s=$(field interval_s)" \
  "duration_s=$(field duration_s) samples_per_s=$(field samples_per_s)" \
  "ack_p50_ms=$(field ack_p50_ms) ack_p99_ms=$(field ack_p99_ms) controller_rss_mb=$(mb "$rss_kb")" \
  "samples_lost=${lost} stored_minus_acked=${diff} controller_hwm_mb=$(mb "$hwm_kb")" \
  "controller_cpu_pct=${cpu_pct} samples_stored=${stored} samples_acked=${acked}" \
  "warmup_s=$(field warmup_s) handshake_p99_ms=$(field handshake_p99_ms) connect_p99_ms=$(field connect_p99_ms)" \
  "resent_batches=$(field resent_batches) sim_cpu_pct=$(field sim_cpu_pct) load1_mean=${load_mean}" \
  "controller_cpu_s=${ctl_cpu_s} run_s=${ctl_wall_s} ${rw_fields}"
[[ $lost == 0 && $diff == 0 && $sim_rc == 0 ]]
