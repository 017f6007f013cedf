# Shared by the bench scripts (source it): timing, a process's CPU, and a
# VictoriaMetrics on loopback.

# Wall clock in seconds with nanoseconds, and the seconds between two of them.
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
# utime + stime of process PID, in clock ticks and in seconds.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }

# start_victoria_metrics DATA_DIR LOG: starts victoria-metrics on a random loopback port
# and waits (up to 10 s) until it answers /health. Sets vm_pid, vm_port and vm_url;
# the caller stops it (kill "$vm_pid").
start_victoria_metrics() {
  vm_port=$(( 20000 + RANDOM % 20000 ))
  vm_url="http://127.0.0.1:$vm_port"
  victoria-metrics -storageDataPath="$1" -httpListenAddr="127.0.0.1:$vm_port" \
    -retentionPeriod=100y -loggerLevel=ERROR > "$2" 2>&1 &
  vm_pid=$!
  for _ in $(seq 100); do curl -sf "$vm_url/health" > /dev/null && return 0; sleep 0.1; done
  echo "victoria-metrics did not answer on $vm_url: $(tail -5 "$2")" >&2
  return 1
}
