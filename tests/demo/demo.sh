#!/usr/bin/env bash
# make demo: a controller and an agent on loopback in a temp dir; waits for data,
# prints the fleet and this host's CPU samples, then stops both cleanly.
set -euo pipefail
BIN=$(cd "${1:-build/bin}" && pwd)
WORK=$(mktemp -d /tmp/tidemark-demo.XXXXXX)
SOCKET="$WORK/controller.sock"
HOST=$(hostname | tr -c 'A-Za-z0-9._\n-' '-')
controller_pid=""
agent_pid=""

cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [ -n "$controller_pid" ] && kill "$controller_pid" 2>/dev/null && wait "$controller_pid" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cli() { "$BIN/tidemark" --socket "$SOCKET" "$@"; }

echo "== Making CurveZMQ key pairs for the controller and the agent"
"$BIN/tidemark" keys generate --out "$WORK/controller" > /dev/null
"$BIN/tidemark" keys generate --out "$WORK/agent" > /dev/null

echo "== Starting tidemark-controller (data in $WORK/data)"
"$BIN/tidemark-controller" --data-dir "$WORK/data" --listen 'tcp://127.0.0.1:*' \
  --admin-socket "$SOCKET" --curve-key "$WORK/controller.key" 2> "$WORK/controller.log" &
controller_pid=$!
for _ in $(seq 50); do cli status > /dev/null 2>&1 && break; sleep 0.1; done
ENDPOINT=$(cli status --json | sed -n 's/.*"listen": "\(.*\)".*/\1/p')
echo "   listening on $ENDPOINT (CurveZMQ)"

echo "== Starting tidemark-agent for host $HOST (every 2s)"
"$BIN/tidemark-agent" --controller "$ENDPOINT" --host-id "$HOST" --state-dir "$WORK/agent-state" \
  --interval 2s --curve-key "$WORK/agent.key" --controller-pub "$WORK/controller.pub" \
  2> "$WORK/agent.log" &
agent_pid=$!

for _ in $(seq 100); do cli agents pending 2>/dev/null | grep -q "^$HOST " && break; sleep 0.1; done
echo
echo "\$ tidemark agents pending"
cli agents pending
echo
echo "\$ tidemark agents accept $HOST"
cli agents accept "$HOST"
echo
echo "== Waiting for three collections to be stored"
for _ in $(seq 100); do
  samples=$(cli query node_cpu_seconds_total --host "$HOST" --label cpu=0 --label mode=idle --json 2>/dev/null \
            | grep -c '^ *\[$' || true)
  [ "${samples:-0}" -ge 3 ] && break
  sleep 0.2
done

echo
echo "\$ tidemark status"
cli status
echo
echo "\$ tidemark hosts"
cli hosts
echo
echo "\$ tidemark query node_cpu_seconds_total --host $HOST --label cpu=0 --since 1m"
cli query node_cpu_seconds_total --host "$HOST" --label cpu=0 --since 1m
echo
echo "\$ tidemark query node_load1 --host $HOST --since 1m"
cli query node_load1 --host "$HOST" --since 1m
echo
echo "\$ tidemark tune list    # the recommender's proposals for this host: inert until approved"
cli tune list
echo
echo "== Stopping the agent and the controller"
kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=""
kill -TERM "$controller_pid"; wait "$controller_pid" || true; controller_pid=""
tail -n 1 "$WORK/agent.log"
tail -n 1 "$WORK/controller.log"
