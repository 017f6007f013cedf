#!/usr/bin/env bash
# Two or more tidemark-agent builds measured in the same windows, against the same
# stand-in ships and the same controller: the way to see a 5% change on a shared
# machine, where one agent's 60 s window alone varies by a quarter from run to run.
#
#   bash bench/agents_side_by_side.sh OLD_AGENT NEW_AGENT [MORE...]
#
# Each argument is an agent binary, optionally prefixed with environment settings
# joined by commas ("TIDEMARK_X=1,Y=2:/path/to/tidemark-agent"). Starts SHIPS stand-in
# ships ($BUILD/bin/urbit-standin) and a controller, then runs ROUNDS rounds: all
# agents start together (--interval 1s --pier-root <piers>), warm up for WARMUP
# seconds, and each one's CPU over the next SECONDS seconds is read from a cgroup of
# its own (io-wq workers and every thread included). Prints each round and the means,
# in ms of CPU per collection. Needs root (cgroups). Every process it started is
# stopped on exit.
#
# Environment: SHIPS (100), ROUNDS (3), SECONDS_PER_ROUND (60), WARMUP (40), BUILD (build).
set -euo pipefail
cd "$(dirname "$0")/.."
SHIPS=${SHIPS:-100}
ROUNDS=${ROUNDS:-3}
WINDOW=${SECONDS_PER_ROUND:-60}
WARMUP=${WARMUP:-40}
BIN=$(realpath -m "${BUILD:-build}/bin")

die() { echo "agents_side_by_side.sh: $*" >&2; exit 2; }
[[ $# -ge 2 ]] || die "give two or more agent binaries (see the header)"
[[ $(id -u) == 0 ]] || die "needs root: each agent's CPU is read from a cgroup of its own"
for binary in tidemark tidemark-controller urbit-standin; do
  [[ -x $BIN/$binary ]] || die "$BIN/$binary is missing: build it first"
done
envs=(); agents=()
for spec in "$@"; do
  if [[ $spec == *:* ]]; then envs+=("${spec%%:*}"); agents+=("${spec#*:}"); else envs+=(""); agents+=("$spec"); fi
  [[ -x ${agents[-1]} ]] || die "${agents[-1]}: not an executable"
done
# cgroup v1 (cpuacct.usage, ns) or v2 (cpu.stat usage_usec).
if [[ -d /sys/fs/cgroup/cpuacct ]]; then CG=/sys/fs/cgroup/cpuacct; usage() { cat "$1/cpuacct.usage"; }
else CG=/sys/fs/cgroup; usage() { awk '/^usage_usec/ {print $2 * 1000}' "$1/cpu.stat"; }; fi

WORK=$(mktemp -d /tmp/tidemark-side-by-side.XXXXXX)
pids=(); ships=(); controller=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  [[ -n $controller ]] && kill "$controller" 2> /dev/null
  for pid in "${ships[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  for k in $(seq ${#agents[@]}); do rmdir "$CG/tidemark-side-$k" 2> /dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/piers" "$WORK/bin"
ln -s "$BIN/urbit-standin" "$WORK/bin/urbit"
for i in $(seq -f '%03g' "$SHIPS"); do
  "$WORK/bin/urbit" make-pier "$WORK/piers/ship-$i" > /dev/null
  "$WORK/bin/urbit" --loom 31 --rss-mb 4 "$WORK/piers/ship-$i" > /dev/null 2>&1 &
  ships+=($!)
done
cli() { "$BIN/tidemark" --socket "$WORK/sock" "$@"; }
"$BIN/tidemark" keys generate --out "$WORK/controller" > /dev/null
"$BIN/tidemark-controller" --data-dir "$WORK/data" --listen 'tcp://127.0.0.1:*' \
  --admin-socket "$WORK/sock" --curve-key "$WORK/controller.key" 2> "$WORK/controller.log" &
controller=$!
for _ in $(seq 100); do cli status > /dev/null 2>&1 && break; sleep 0.1; done
endpoint=$(cli status --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["listen"])')
for k in $(seq ${#agents[@]}); do "$BIN/tidemark" keys generate --out "$WORK/side$k" > /dev/null; done

declare -a sums
for round in $(seq "$ROUNDS"); do
  pids=()
  for k in $(seq ${#agents[@]}); do
    mkdir -p "$CG/tidemark-side-$k"
    rm -rf "$WORK/state$k"
    ( echo "$BASHPID" > "$CG/tidemark-side-$k/cgroup.procs"
      exec env ${envs[$((k - 1))]//,/ } "${agents[$((k - 1))]}" --controller "$endpoint" \
        --host-id "side$k" --state-dir "$WORK/state$k" --interval 1s --pier-root "$WORK/piers" \
        --curve-key "$WORK/side$k.key" --controller-pub "$WORK/controller.pub" \
        > /dev/null 2> "$WORK/side$k.log" ) &
    pids+=($!)
  done
  for _ in 1 2 3; do
    sleep 2
    for k in $(seq ${#agents[@]}); do cli agents accept "side$k" > /dev/null 2>&1 || true; done
  done
  sleep "$WARMUP"  # past the first scans, walks and memory trim
  start=(); for k in $(seq ${#agents[@]}); do start+=("$(usage "$CG/tidemark-side-$k")"); done
  sleep "$WINDOW"
  line="round $round:"
  for k in $(seq ${#agents[@]}); do
    end=$(usage "$CG/tidemark-side-$k")
    ms=$(awk -v a="${start[$((k - 1))]}" -v b="$end" -v s="$WINDOW" 'BEGIN {printf "%.3f", (b - a) / 1e6 / s}')
    line="$line $ms"
    sums[k]=$(awk -v x="${sums[k]:-0}" -v v="$ms" 'BEGIN {print x + v}')
  done
  echo "$line  (load $(cut -d' ' -f1 /proc/loadavg))"
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait "${pids[@]}" 2> /dev/null || true
done
for k in $(seq ${#agents[@]}); do
  awk -v x="${sums[k]}" -v r="$ROUNDS" -v n="$(basename "${agents[$((k - 1))]}") ${envs[$((k - 1))]}" \
    'BEGIN {printf "%-40s mean %.3f ms/collection\n", n, x / r}'
done
