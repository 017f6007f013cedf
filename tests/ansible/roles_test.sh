#!/usr/bin/env bash
# The Ansible roles against this machine, for real, in the spirit of molecule's
# converge / idempotence / verify: site.yml installs the .deb from `make package`
# under a prefix (connection: local, no systemd needed), the installed controller and
# agent are started from the units' ExecStart lines, the agent must show up in
# `tidemark hosts` without a manual accept, a second run must change nothing,
# `--check --diff` must show a change and make none, a real change must restart only
# the agent, and verify.yml checks services, ports, key modes and unit hardening.
#   roles_test.sh ANSIBLE_DIR DEB_FILE
set -euo pipefail
ANSIBLE_DIR=$(cd "$1" && pwd)
DEB=$2
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the roles install packages and chown files; run as root"; exit 77
fi
command -v ansible-playbook > /dev/null || { echo "ansible-playbook is missing (make deps installs ansible-core)"; exit 1; }
[ -f "$DEB" ] || { echo "no package at $DEB (the packaging.deb test builds it)"; exit 1; }

WORK=$(mktemp -d /tmp/tidemark-ansible.XXXXXX)
PREFIX=$WORK/root
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOST_ID=ansible-test-$$
export ANSIBLE_HOME=$WORK/ansible-home ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
       ANSIBLE_CONFIG=$ANSIBLE_DIR/ansible.cfg ANSIBLE_ROLES_PATH=$ANSIBLE_DIR/roles \
       ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_DEPRECATION_WARNINGS=0

cat > "$WORK/inventory.ini" <<INI
[tidemark_controller]
localhost

[tidemark_agent]
localhost

[all:vars]
ansible_connection=local
ansible_python_interpreter=/usr/bin/python3
ansible_become=false
INI

cat > "$WORK/vars.yml" <<YAML
tidemark_deb_file: $DEB
tidemark_prefix: $PREFIX
tidemark_manage_systemd: false
tidemark_create_user: false
tidemark_user: $(id -un)
tidemark_group: $(id -gn)
tidemark_apt_update_cache: false
tidemark_controller_listen_address: 127.0.0.1
tidemark_controller_port: $PORT
tidemark_controller_reports_interval: 0s
tidemark_agent_controller_address: 127.0.0.1
tidemark_agent_controller_port: $PORT
tidemark_agent_host_id: $HOST_ID
tidemark_agent_interval: 1s
tidemark_agent_policy:
  - {knob: vm.swappiness, min: 1, max: 60}
  - {knob: "block.scheduler:*", values: [none, mq-deadline, bfq]}
  - {knob: "ship.nice:*", min: -5, max: 10}
YAML

play() {  # play NAME ARGS...: runs site.yml, keeps the output in $WORK/NAME.log
  local name=$1; shift
  echo "== ansible-playbook site.yml $* ($name)"
  if ! ansible-playbook -i "$WORK/inventory.ini" "$ANSIBLE_DIR/site.yml" -e @"$WORK/vars.yml" "$@" \
       > "$WORK/$name.log" 2>&1; then
    cat "$WORK/$name.log"; fail "the $name run failed"
  fi
  grep -A3 '^PLAY RECAP' "$WORK/$name.log"
}
recap() { sed -n 's/^localhost *: .*'"$1"'=\([0-9]*\).*/\1/p' "$WORK/$2.log"; }

echo "== syntax"
ansible-playbook -i "$ANSIBLE_DIR/inventory.example.ini" "$ANSIBLE_DIR/site.yml" --syntax-check
ansible-playbook -i "$WORK/inventory.ini" "$HERE/verify.yml" --syntax-check

echo "== argument_specs refuse a bad variable before anything is touched"
if ansible-playbook -i "$WORK/inventory.ini" "$ANSIBLE_DIR/site.yml" -e @"$WORK/vars.yml" \
     -e tidemark_controller_port=seventy > "$WORK/badvar.log" 2>&1; then
  fail "a port of 'seventy' was accepted"
fi
grep -q "tidemark_controller_port" "$WORK/badvar.log" || { cat "$WORK/badvar.log"; fail "the refusal does not name the variable"; }
[ ! -e "$PREFIX" ] || fail "the refused run touched $PREFIX"

play converge
[ "$(recap failed converge)" = 0 ] || fail "converge failed tasks"
[ "$(recap changed converge)" -gt 0 ] || fail "converge changed nothing"

# No systemd as PID 1 here: start what the units would, from their ExecStart lines.
start_unit() {  # start_unit NAME: runs the drop-in's ExecStart in the background
  local dropin=$PREFIX/etc/systemd/system/$1.service.d/tidemark.conf command
  command=$(sed -n 's/^ExecStart=\(..*\)$/\1/p' "$dropin" | tail -n 1)
  [ -n "$command" ] || fail "$dropin has no ExecStart"
  echo "== starting $1: $command"
  $command > "$WORK/$1.log" 2>&1 &
  pids+=($!)
}
start_unit tidemark-controller
SOCKET=$PREFIX/run/tidemark/controller.sock
for _ in $(seq 100); do [ -S "$SOCKET" ] && break; sleep 0.1; done
start_unit tidemark-agent
cli() { "$PREFIX/usr/bin/tidemark" --socket "$SOCKET" "$@"; }
for _ in $(seq 150); do
  cli hosts 2>/dev/null | grep -Eq "^$HOST_ID +yes" && break
  sleep 0.2
done
echo "\$ tidemark hosts"
cli hosts || true
cli hosts | grep -Eq "^$HOST_ID +yes" || {
  tail -n 20 "$WORK/tidemark-controller.log" "$WORK/tidemark-agent.log"; fail "$HOST_ID is not a connected host"; }
for _ in $(seq 100); do
  [ "$(cli query node_load1 --host "$HOST_ID" --since 1m --json 2>/dev/null | grep -c '^ *\[$' || true)" -ge 1 ] && break
  sleep 0.2
done
cli query node_load1 --host "$HOST_ID" --since 1m | head -n 5
[ "$(cli query node_load1 --host "$HOST_ID" --since 1m --json | grep -c '^ *\[$' || true)" -ge 1 ] ||
  fail "no samples from $HOST_ID were stored"

play idempotence
[ "$(recap changed idempotence)" = 0 ] || { grep -B2 '^changed' "$WORK/idempotence.log"; fail "the second run changed something"; }

sum_before=$(sha256sum "$PREFIX/etc/tidemark/agent.toml")
play check --check --diff -e tidemark_agent_interval=5s
grep -q '^-interval = "1s"' "$WORK/check.log" || fail "--diff does not show the old interval"
grep -q '^+interval = "5s"' "$WORK/check.log" || fail "--diff does not show the new interval"
[ "$(sha256sum "$PREFIX/etc/tidemark/agent.toml")" = "$sum_before" ] || fail "--check changed agent.toml"
[ "$(recap changed check)" -gt 0 ] || fail "--check reported no change"

play agent-change -e tidemark_agent_interval=2s
grep -q 'RUNNING HANDLER \[tidemark_agent : Restart tidemark-agent\]' "$WORK/agent-change.log" ||
  fail "a changed agent.toml did not notify the agent's restart"
! grep -q 'RUNNING HANDLER \[tidemark_controller' "$WORK/agent-change.log" ||
  fail "an agent-only change notified the controller's restart"
play restore

echo "== verify"
ansible-playbook -i "$WORK/inventory.ini" "$HERE/verify.yml" -e @"$WORK/vars.yml" > "$WORK/verify.log" 2>&1 ||
  { cat "$WORK/verify.log"; fail "verify failed"; }
grep -A3 '^PLAY RECAP' "$WORK/verify.log"
echo "PASS"
