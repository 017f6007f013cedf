#!/usr/bin/env bash
# The agent's cost on a host running many Urbit ships, against node_exporter and
# collectd on the same host in the same run.
#
#   SHIPS=100 N=30 BUILD=build bash bench/agent_vs_peers.sh
#
# Starts SHIPS stand-in ships ($BUILD/bin/urbit-standin run through a symlink named
# `urbit`: `urbit make-pier PIER`, then `urbit --loom 31 --rss-mb RSS_MB PIER`; each is a
# king and a serf process), then measures one collector at a time, alone:
# * tidemark: a controller and tidemark-agent --pier-root <the piers' folder>
#   --interval 1s on loopback (CurveZMQ, the agent's key accepted as an operator
#   would); collections = the growth of its own tidemark_agent_series samples in the
#   controller, CPU = utime+stime of the agent from /proc/PID/stat.
# * node_exporter: prometheus-node-exporter with its default collectors plus
#   --collector.processes, scraped N times with curl, once a second.
# * collectd: collectd -f with cpu, memory, disk, interface, df, load, processes at
#   Interval 1 (logfile only, no write plugin) for N intervals.
# Each of the three first runs for WARMUP seconds (the agent collecting, node_exporter
# scraped once a second, collectd at its interval), then is measured: start-up costs
# (the agent's first process scans and walks, its first memory trim; node_exporter's
# and collectd's first reads) stay out of the steady-state figure for all of them.
# CPU per collection = CPU over the measurement / collections, from a cgroup of its
# own per measured process where one can be made (root; nanoseconds), else from
# /proc/PID/stat (clock ticks); RSS = VmRSS at its end. Installs
# prometheus-node-exporter and collectd-core with apt-get when missing. Every process
# it started is stopped on exit, ships included.
#
# Environment: SHIPS (100), N (30), WARMUP (40 s), BUILD (build), RSS_MB (4: memory each stand-in
# serf touches), SKIP_TIDEMARK (0; 1 measures the peers only, "na" for tidemark,
# e.g. on a branch whose agent has no --pier-root yet), KEEP (0; 1 keeps the work dir).
# Last line:
#   cpu_ms_per_collection tidemark=X node_exporter=Y collectd=Z rss_mb tidemark=A node_exporter=B collectd=C
set -euo pipefail
cd "$(dirname "$0")/.."
SHIPS=${SHIPS:-100}
N=${N:-30}
WARMUP=${WARMUP:-40}
BUILD=${BUILD:-build}
RSS_MB=${RSS_MB:-4}
SKIP_TIDEMARK=${SKIP_TIDEMARK:-0}
BIN=$(realpath -m "$BUILD/bin")

die() { echo "agent_vs_peers.sh: $*" >&2; exit 2; }
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N=$N: expected a positive number of collections"
[[ $SHIPS =~ ^[0-9]+$ ]] || die "SHIPS=$SHIPS: expected a number of ships"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP=$WARMUP: expected a number of seconds"

# Checked before anything starts, so a missing piece costs nothing.
if [[ $SHIPS -gt 0 && ! -x $BIN/urbit-standin ]]; then
  die "$BIN/urbit-standin is missing: build it (cmake --build $BUILD --target urbit-standin), or run with SHIPS=0"
fi
if [[ $SKIP_TIDEMARK != 1 ]]; then
  for binary in tidemark tidemark-controller tidemark-agent; do
    [[ -x $BIN/$binary ]] || die "$BIN/$binary is missing: build it (cmake --build $BUILD --target $binary), or run with SKIP_TIDEMARK=1"
  done
  # An invalid interval stops the agent right after parsing: a known --pier-root
  # gets that complaint, an unknown one CLI11's "not expected".
  probe=$("$BIN/tidemark-agent" --pier-root /nonexistent --insecure --controller tcp://127.0.0.1:1 \
            --interval 0s 2>&1 || true)
  ! grep -q "not expected" <<< "$probe" ||
    die "$BIN/tidemark-agent has no --pier-root flag (ship collection): rebuild from a branch with it, or run with SKIP_TIDEMARK=1"
fi
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if ! command -v prometheus-node-exporter > /dev/null || ! command -v curl > /dev/null; then
  echo "installing prometheus-node-exporter and curl (Debian packages)" >&2
  $SUDO apt-get install -y -qq prometheus-node-exporter curl > /dev/null
  # The package starts a system service; measure our own instance only.
  $SUDO systemctl stop prometheus-node-exporter 2> /dev/null || true
fi
if ! command -v collectd > /dev/null && [[ ! -x /usr/sbin/collectd ]]; then
  echo "installing collectd-core (Debian package)" >&2
  $SUDO apt-get install -y -qq --no-install-recommends collectd-core > /dev/null
  $SUDO systemctl stop collectd 2> /dev/null || true
fi
COLLECTD=$(command -v collectd || echo /usr/sbin/collectd)
TYPES_DB=/usr/share/collectd/types.db
[[ -r $TYPES_DB ]] || die "$TYPES_DB is missing (collectd-core installs it)"

WORK=$(mktemp -d /tmp/tidemark-agent-vs-peers.XXXXXX)
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
HZ=$(getconf CLK_TCK)
# CPU of the measured process in ns. Where this user may make cgroups (root), each
# measured process gets its own (cgroup v2 cpu.stat or v1 cpuacct.usage: every thread,
# exited ones too, to the nanosecond); elsewhere utime+stime from /proc/PID/stat, in
# clock ticks (10 ms: the agent's whole window is only 14-16 of them at N=60).
CGROUP_ROOT=""
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
  CGROUP_ROOT=/sys/fs/cgroup
elif [[ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]]; then
  CGROUP_ROOT=/sys/fs/cgroup/cpuacct
fi
cpu_cgroup=""
measure() {  # PID: from now on, cpu_ns reads this process's CPU
  cpu_cgroup=""
  [[ -n $CGROUP_ROOT && -w $CGROUP_ROOT ]] || return 0
  local dir=$CGROUP_ROOT/tidemark-bench-$$-$1
  if mkdir -p "$dir" 2> /dev/null && echo "$1" > "$dir/cgroup.procs" 2> /dev/null; then
    cpu_cgroup=$dir
  else
    rmdir "$dir" 2> /dev/null || true
  fi
}
unmeasure() {  # after the process is stopped
  [[ -n $cpu_cgroup ]] && rmdir "$cpu_cgroup" 2> /dev/null || true
  cpu_cgroup=""
}
cpu_ns() {  # PID
  if [[ -n $cpu_cgroup && -f $cpu_cgroup/cpuacct.usage ]]; then
    cat "$cpu_cgroup/cpuacct.usage"
  elif [[ -n $cpu_cgroup ]]; then
    awk '/^usage_usec/ {printf "%d", $2 * 1000}' "$cpu_cgroup/cpu.stat"
  else
    awk -v hz="$HZ" '{printf "%d", ($14 + $15) * 1e9 / hz}' "/proc/$1/stat"
  fi
}
cpu_source() { [[ -n $cpu_cgroup ]] && echo "cgroup $cpu_cgroup" || echo "clock ticks of $((1000 / HZ)) ms"; }
ms_per() {  # NS COUNT -> CPU milliseconds per one
  awk -v ns="$1" -v n="$2" 'BEGIN {printf "%.2f", ns / 1e6 / n}'
}
ship_pids=()
current_pid=""
controller_pid=""
stop() {  # PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1
  kill -TERM "$pid" 2> /dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}
cleanup() {
  local pid
  [[ -n $current_pid ]] && stop "$current_pid"
  unmeasure
  [[ -n $controller_pid ]] && stop "$controller_pid"
  # Kings first get SIGTERM all at once (each stops its serf), then are reaped.
  for pid in "${ship_pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${ship_pids[@]}"; do stop "$pid"; done
  if [[ ${KEEP:-0} == 1 ]]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

alive() { kill -0 "$1" 2> /dev/null || die "$2 exited early; its log: $3"; }

# ---- ships
PIERS=$WORK/piers
mkdir -p "$PIERS" "$WORK/bin"
if [[ $SHIPS -gt 0 ]]; then
  ln -s "$BIN/urbit-standin" "$WORK/bin/urbit"
  echo "== starting $SHIPS stand-in ships in $PIERS" >&2
  for i in $(seq -f '%03g' "$SHIPS"); do
    pier=$PIERS/ship-$i
    "$WORK/bin/urbit" make-pier "$pier" > /dev/null ||
      die "urbit-standin make-pier $pier failed"
    "$WORK/bin/urbit" --loom 31 --rss-mb "$RSS_MB" "$pier" > "$WORK/ship-$i.log" 2>&1 &
    ship_pids+=($!)
  done
  for _ in $(seq 100); do  # every king holds its lock file once it is up
    up=$(find "$PIERS" -mindepth 2 -maxdepth 2 -name .vere.lock | wc -l)
    [[ $up -ge $SHIPS ]] && break
    sleep 0.1
  done
  for pid in "${ship_pids[@]}"; do alive "$pid" "a stand-in ship (pid $pid)" "$WORK/ship-*.log"; done
  echo "   $up of $SHIPS ships up" >&2
fi

# ---- tidemark
tidemark_cpu=na
tidemark_rss=na
if [[ $SKIP_TIDEMARK != 1 ]]; then
  socket=$WORK/controller.sock
  cli() { "$BIN/tidemark" --socket "$socket" "$@"; }
  host=bench-agent
  "$BIN/tidemark" keys generate --out "$WORK/controller" > /dev/null
  "$BIN/tidemark" keys generate --out "$WORK/agent" > /dev/null
  "$BIN/tidemark-controller" --data-dir "$WORK/data" --listen 'tcp://127.0.0.1:*' \
    --admin-socket "$socket" --curve-key "$WORK/controller.key" 2> "$WORK/controller.log" &
  controller_pid=$!
  for _ in $(seq 100); do cli status > /dev/null 2>&1 && break; sleep 0.1; done
  alive "$controller_pid" tidemark-controller "$WORK/controller.log"
  endpoint=$(cli status --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["listen"])')
  echo "== tidemark-agent --pier-root $PIERS --interval 1s, $N collections" >&2
  "$BIN/tidemark-agent" --controller "$endpoint" --host-id "$host" --state-dir "$WORK/agent-state" \
    --interval 1s --pier-root "$PIERS" --curve-key "$WORK/agent.key" \
    --controller-pub "$WORK/controller.pub" 2> "$WORK/agent.log" &
  current_pid=$!
  measure "$current_pid"
  for _ in $(seq 100); do cli agents pending 2> /dev/null | grep -q "^$host " && break; sleep 0.1; done
  cli agents accept "$host" > /dev/null
  # Collections stored so far: one tidemark_agent_series sample per collection.
  collections() {
    cli query tidemark_agent_series --host "$host" --since 1h --json |
      python3 -c 'import json, sys; s = json.load(sys.stdin)["series"]; print(len(s[0]["samples"]) if s else 0)'
  }
  for _ in $(seq 300); do [[ $(collections) -ge 2 ]] && break; alive "$current_pid" tidemark-agent "$WORK/agent.log"; sleep 0.2; done
  sleep "$WARMUP"
  alive "$current_pid" tidemark-agent "$WORK/agent.log"
  # The count lags the agent by the batches in flight; it lags as much at both ends.
  # The window is N seconds (N collections at --interval 1s), left alone: polling the
  # controller during it (a CLI and a python3 ten times a second) would load the
  # machine the agent is measured on, which the peers' windows are spared.
  count0=$(collections)
  cpu0=$(cpu_ns "$current_pid")
  sleep "$N"
  cpu1=$(cpu_ns "$current_pid")
  alive "$current_pid" tidemark-agent "$WORK/agent.log"
  count1=$(collections)
  [[ $count1 -gt $count0 ]] || die "the agent stored no collection in $((N + 30)) s; its log: $WORK/agent.log"
  tidemark_cpu=$(ms_per $((cpu1 - cpu0)) $((count1 - count0)))
  tidemark_rss=$(rss_mb "$current_pid")
  ships_seen=$(cli query urbit_ship_up --host "$host" --last --json |
                 python3 -c 'import json, sys; print(len(json.load(sys.stdin)["series"]))')
  echo "   $((count1 - count0)) collections, $ships_seen ships reported; CPU from $(cpu_source)" >&2
  stop "$current_pid"; current_pid=""
  unmeasure
  stop "$controller_pid"; controller_pid=""
fi

# ---- node_exporter
port=$(( 20000 + RANDOM % 20000 ))
echo "== prometheus-node-exporter (defaults + processes), $N scrapes" >&2
prometheus-node-exporter --collector.processes --web.listen-address="127.0.0.1:$port" \
  > "$WORK/node_exporter.log" 2>&1 &
current_pid=$!
measure "$current_pid"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/metrics" > /dev/null && break; sleep 0.1; done
alive "$current_pid" prometheus-node-exporter "$WORK/node_exporter.log"
curl -sf "http://127.0.0.1:$port/metrics" > /dev/null
for _ in $(seq "$WARMUP"); do
  curl -sf "http://127.0.0.1:$port/metrics" > /dev/null || die "scrape of node_exporter failed; its log: $WORK/node_exporter.log"
  sleep 1
done
cpu0=$(cpu_ns "$current_pid")
for _ in $(seq "$N"); do
  curl -sf "http://127.0.0.1:$port/metrics" > /dev/null || die "scrape of node_exporter failed; its log: $WORK/node_exporter.log"
  sleep 1
done
cpu1=$(cpu_ns "$current_pid")
node_exporter_cpu=$(ms_per $((cpu1 - cpu0)) "$N")
node_exporter_rss=$(rss_mb "$current_pid")
echo "   CPU from $(cpu_source)" >&2
stop "$current_pid"; current_pid=""
unmeasure

# ---- collectd
echo "== collectd (cpu memory disk interface df load processes, Interval 1), $N intervals" >&2
cat > "$WORK/collectd.conf" << EOF
Hostname "bench"
FQDNLookup false
BaseDir "$WORK/collectd"
PIDFile "$WORK/collectd.pid"
TypesDB "$TYPES_DB"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel warning
  File "$WORK/collectd.log"
  Timestamp true
</Plugin>
LoadPlugin cpu
LoadPlugin memory
LoadPlugin disk
LoadPlugin interface
LoadPlugin df
LoadPlugin load
LoadPlugin processes
EOF
mkdir -p "$WORK/collectd"
"$COLLECTD" -f -C "$WORK/collectd.conf" > "$WORK/collectd.out" 2>&1 &
current_pid=$!
measure "$current_pid"
sleep $((WARMUP > 2 ? WARMUP : 2))  # start-up and the first reads (cpu and disk need two for rates)
alive "$current_pid" collectd "$WORK/collectd.out"
start_ns=$(date +%s%N)
cpu0=$(cpu_ns "$current_pid")
sleep "$N"
cpu1=$(cpu_ns "$current_pid")
end_ns=$(date +%s%N)
alive "$current_pid" collectd "$WORK/collectd.out"
# Intervals from the time that really passed (sleep overshoots on a busy machine).
intervals=$(awk -v ns=$((end_ns - start_ns)) 'BEGIN {printf "%.2f", ns / 1e9}')
collectd_cpu=$(ms_per $((cpu1 - cpu0)) "$intervals")
collectd_rss=$(rss_mb "$current_pid")
echo "   CPU from $(cpu_source)" >&2
stop "$current_pid"; current_pid=""
unmeasure

echo "ships=$SHIPS collections=$N" >&2
echo "cpu_ms_per_collection tidemark=$tidemark_cpu node_exporter=$node_exporter_cpu collectd=$collectd_cpu rss_mb tidemark=$tidemark_rss node_exporter=$node_exporter_rss collectd=$collectd_rss"
