#!/usr/bin/env bash
# Approve one change across N agents, then roll it back, and time both: a CURVE
# controller and N real tidemark-agent processes on loopback, each reading a fixture
# root of its own (a copy of tests/fixtures/hosts/basic plus the tunable files), so
# the change is really written, read back and journaled by every agent.
#   bash bench/tuning_rollout.sh [BIN_DIR (default build/bin)]
#   AGENTS=100  CANARY=0 (hosts dispatched first; the rest after the health window)
# Last line: tuning_rollout agents=N approve_to_applied_s=X rollback_to_restored_s=Y
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build/bin}")
AGENTS=${AGENTS:-100}
CANARY=${CANARY:-0}
W=$(mktemp -d /tmp/tidemark-tuning-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
cli() { "$BIN/tidemark" --socket "$W/admin.sock" "$@"; }
now_ns() { date +%s%N; }

"$BIN/tidemark" keys generate --out "$W/controller" > /dev/null
mkdir -p "$W/data/pki/accepted"
for i in $(seq 1 "$AGENTS"); do
  host=$(printf 'sim-%03d' "$i")
  "$BIN/tidemark" keys generate --out "$W/$host" > /dev/null
  cp "$W/$host.pub" "$W/data/pki/accepted/$host"
  root="$W/roots/$host"
  mkdir -p "$root"
  cp -r tests/fixtures/hosts/basic/. "$root/"
  mkdir -p "$root/proc/sys/vm" "$root/proc/sys/kernel"
  echo 60 > "$root/proc/sys/vm/swappiness"
  echo 6.1.0-13-amd64 > "$root/proc/sys/kernel/osrelease"
done

"$BIN/tidemark-controller" --data-dir "$W/data" --listen 'tcp://127.0.0.1:*' \
  --admin-socket "$W/admin.sock" --curve-key "$W/controller.key" --log-level warn \
  --tuning-health-window 1s 2> "$W/controller.log" &
pids+=($!)
for _ in $(seq 100); do cli status > /dev/null 2>&1 && break; sleep 0.1; done
endpoint=$(cli status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"])')

for i in $(seq 1 "$AGENTS"); do
  host=$(printf 'sim-%03d' "$i")
  "$BIN/tidemark-agent" --controller "$endpoint" --host-id "$host" --state-dir "$W/state/$host" \
    --root "$W/roots/$host" --interval 10s --curve-key "$W/$host.key" \
    --controller-pub "$W/controller.pub" --log-level warn 2> "$W/$host.log" &
  pids+=($!)
done

# Every agent connected and its knobs reported (the controller knows the current value).
for _ in $(seq 300); do
  connected=$(cli status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["agents_connected"])')
  [ "$connected" -ge "$AGENTS" ] && break
  sleep 0.2
done
echo "agents connected: $connected of $AGENTS"
sleep 2  # the knob reports follow the Hellos

# The recommender proposes swappiness 10 on its own (60 > 10); hosts it has not
# reached yet get a manual proposal. One id per host either way.
cli tune list --json --state proposed > "$W/proposed.json"
missing=$(python3 - "$W/proposed.json" "$AGENTS" <<'PY'
import json, sys
have = {p["host"] for p in json.load(open(sys.argv[1]))["proposals"]
        if p["knob"] == "vm.swappiness" and p["value"] == "10"}
print(" ".join(f"--host sim-{i:03d}" for i in range(1, int(sys.argv[2]) + 1) if f"sim-{i:03d}" not in have))
PY
)
# shellcheck disable=SC2086
[ -n "$missing" ] && cli tune propose vm.swappiness 10 $missing > /dev/null
ids=$(cli tune list --json --state proposed |
      python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)["proposals"] if p["knob"] == "vm.swappiness" and p["value"] == "10"))')

count_state() {
  cli tune list --json --state "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["proposals"]))'
}
wait_for() {  # STATE: until every proposal is in it; 60 s at most
  for _ in $(seq 1200); do
    [ "$(count_state "$1")" -ge "$AGENTS" ] && return 0
    sleep 0.05
  done
  echo "timed out waiting for $AGENTS proposals in state $1" >&2
  cli tune list | tail -5 >&2
  return 1
}

start=$(now_ns)
# shellcheck disable=SC2086
cli tune approve $ids --canary "$CANARY" > /dev/null
wait_for applied
applied_ns=$(( $(now_ns) - start ))
changed=$(grep -lx 10 "$W"/roots/*/proc/sys/vm/swappiness | wc -l)
echo "approve: $AGENTS agents applied in $(( applied_ns / 1000000 )) ms; fixture files at 10: $changed"

start=$(now_ns)
# shellcheck disable=SC2086
cli tune rollback $ids > /dev/null
wait_for rolled_back
rolled_ns=$(( $(now_ns) - start ))
restored=$(grep -lx 60 "$W"/roots/*/proc/sys/vm/swappiness | wc -l)
echo "rollback: $AGENTS agents restored in $(( rolled_ns / 1000000 )) ms; fixture files back at 60: $restored"

[ -n "${VERBOSE:-}" ] && cli tune log --json --limit 12 | python3 -c '
import json, sys
for e in reversed(json.load(sys.stdin)["audit"]):
    print(e.get("at_ms"), e.get("host"), e.get("event"), e.get("detail", "")[:80])'
# The controller's own clock, from the audit log: first approval to last "applied",
# first rollback request to last "rolled_back" (the CLI's start-up and polling excluded).
spans=$(cli tune log --json --limit 100000 | python3 -c '
import json, sys
entries = json.load(sys.stdin)["audit"]
def at(event, pick):
    return pick(e["at_ms"] for e in entries if e["event"] == event)
print("%.3f %.3f" % ((at("applied", max) - at("approved", min)) / 1000,
                     (at("rolled_back", max) - at("rollback_requested", min)) / 1000))')
read -r approve_span rollback_span <<< "$spans"
echo "controller clock: approve -> last applied ${approve_span} s; rollback -> last restored ${rollback_span} s"
printf 'tuning_rollout agents=%d approve_to_applied_s=%.2f rollback_to_restored_s=%.2f (with the CLI and polling: %.2f and %.2f)\n' \
  "$AGENTS" "$approve_span" "$rollback_span" \
  "$(echo "$applied_ns / 1000000000" | bc -l)" "$(echo "$rolled_ns / 1000000000" | bc -l)"
