#!/usr/bin/env bash
# The controller's cost per agent, without and with remote write, on the same
# machine in the same minutes: two soak runs (bench/soak.sh) with the same simulated
# fleet, the second exporting every sample to a VictoriaMetrics on loopback.
#
#   AGENTS=2000 SERIES=300 INTERVAL=10s DURATION=150s bash bench/controller_per_agent.sh
#
# Environment: AGENTS (2000), SERIES (300), INTERVAL (10s), DURATION (150s), WARMUP
# (60s), RAMP (30s), BUILD (build); the rest goes to soak.sh as is.
# Prints both soak lines, then, last:
#   controller_per_agent agents=N samples_per_s=X cpu_pct baseline=A remote_write=B
#     ratio=B/A core_ms_per_agent_s baseline=.. remote_write=.. rss_mb baseline=.. remote_write=..
#     export_samples_per_core_s=E vm_samples_per_core_s=V
# core_ms_per_agent_s: controller CPU milliseconds per agent per second of traffic;
# export_samples_per_core_s: samples exported per CPU second the exporter added;
# vm_samples_per_core_s: samples VictoriaMetrics ingested per CPU second it used.
set -euo pipefail
cd "$(dirname "$0")/.."
export AGENTS=${AGENTS:-2000} SERIES=${SERIES:-300} INTERVAL=${INTERVAL:-10s}
export DURATION=${DURATION:-150s} WARMUP=${WARMUP:-60s} RAMP=${RAMP:-30s} BUILD=${BUILD:-build}
command -v victoria-metrics > /dev/null || {
  echo "controller_per_agent.sh: installing victoria-metrics" >&2
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq victoria-metrics > /dev/null
}

run() {  # run NAME [env...]: one soak; its last line on stdout
  local name=$1; shift
  echo "== $name: $AGENTS agents x $SERIES series every $INTERVAL for $DURATION" >&2
  env "$@" LOGS="$BUILD/soak-logs-$name" bash bench/soak.sh 2> "/tmp/controller_per_agent.$name.err" \
    | tee "/tmp/controller_per_agent.$name.out" >&2 || {
    echo "controller_per_agent.sh: the $name soak failed (see /tmp/controller_per_agent.$name.err)" >&2
    exit 1
  }
  grep '^soak ' "/tmp/controller_per_agent.$name.out" | tail -1
}
baseline=$(run baseline REMOTE_WRITE=)
remote=$(run remote_write REMOTE_WRITE=vm)
echo "$baseline"
echo "$remote"

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< "$1"; }
awk -v agents="$AGENTS" \
    -v rate="$(field "$remote" samples_per_s)" \
    -v cpu_a="$(field "$baseline" controller_cpu_s)" -v run_a="$(field "$baseline" run_s)" \
    -v cpu_b="$(field "$remote" controller_cpu_s)" -v run_b="$(field "$remote" run_s)" \
    -v rss_a="$(field "$baseline" controller_rss_mb)" -v rss_b="$(field "$remote" controller_rss_mb)" \
    -v sent="$(field "$remote" rw_sent)" -v vm_cpu="$(field "$remote" vm_cpu_s)" \
    -v stored_a="$(field "$baseline" samples_stored)" -v stored_b="$(field "$remote" samples_stored)" '
BEGIN {
  pct_a = 100 * cpu_a / run_a; pct_b = 100 * cpu_b / run_b
  # The exporter handled `sent` samples; what it added is the CPU beyond the baseline
  # for the same traffic (scaled to the remote run stored samples).
  extra = cpu_b - cpu_a * (stored_b / stored_a)
  printf "controller_per_agent agents=%d samples_per_s=%s cpu_pct baseline=%.0f remote_write=%.0f ratio=%.2f", agents, rate, pct_a, pct_b, pct_b / pct_a
  printf " core_ms_per_agent_s baseline=%.4f remote_write=%.4f", 1000 * cpu_a / run_a / agents, 1000 * cpu_b / run_b / agents
  printf " rss_mb baseline=%s remote_write=%s", rss_a, rss_b
  printf " export_samples_per_core_s=%.0f vm_samples_per_core_s=%.0f\n", (extra > 0 ? sent / extra : 0), (vm_cpu > 0 ? sent / vm_cpu : 0)
}'
