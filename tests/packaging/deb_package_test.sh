#!/usr/bin/env bash
# packaging.deb: builds the .deb with cpack and checks it for real, without installing
# it: control fields and Depends, conffiles and maintainer scripts, the exact file list,
# the units' hardening, and the extracted programs running --check-config on the
# shipped configs with keys made by the extracted `tidemark keys generate`.
#   usage: deb_package_test.sh BUILD_DIR VERSION
# Leaves BUILD_DIR/package/tidemark_VERSION_ARCH.deb for the tests that install it
# (fixture tidemark_deb).
set -euo pipefail

build=$(cd "$1" && pwd)
version=$2
arch=$(dpkg --print-architecture)
deb=$build/package/tidemark_${version}_${arch}.deb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# has FILE LINE: FILE holds LINE exactly (a directive, not a comment mentioning it).
has() { grep -qxF -- "$2" "$1" || fail "$(basename "$1") lacks the line '$2'"; }
lacks() { ! grep -qE -- "$2" "$1" || fail "$(basename "$1") must not match '$2'"; }

# --- build ---------------------------------------------------------------------------
rm -f "$deb"
if ! cpack --config "$build/CPackConfig.cmake" -B "$build/package" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  fail "cpack failed"
fi
[ -f "$deb" ] || fail "cpack made no $deb (made: $(ls "$build/package"))"
echo "built $deb ($(stat -c %s "$deb") bytes)"

# --- control fields ------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = tidemark ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', not $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)'"
[ "$(field Section)" = admin ] || fail "Section is '$(field Section)'"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
depends=$(field Depends)
echo "Depends: $depends"
# dpkg-shlibdeps found the shared libraries' packages; adduser is for the postinst.
for package in libzmq5 'librocksdb[0-9.]*' adduser 'libc6'; do
  grep -qE "(^|, )${package}( |,|$)" <<<"$depends" || fail "Depends lacks $package: $depends"
done

# --- control archive: conffiles and maintainer scripts ---------------------------------
dpkg-deb -I "$deb" conffiles >"$work/conffiles" || fail "no conffiles in the control archive"
for conf in /etc/tidemark/agent.toml /etc/tidemark/controller.toml /etc/tidemark/policy.toml; do
  has "$work/conffiles" "$conf"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -tvf - >"$work/control.list"
for script in postinst prerm postrm; do
  grep -qE "^-rwxr-xr-x .* \./$script$" "$work/control.list" ||
    fail "maintainer script $script missing or not 0755: $(cat "$work/control.list")"
done
dpkg-deb -I "$deb" postinst >"$work/postinst"
grep -q 'adduser --system --group' "$work/postinst" || fail "postinst makes no tidemark user"
grep -q '\[ -d /run/systemd/system \]' "$work/postinst" || fail "postinst reloads systemd blindly"

# --- data archive: exactly these files, root-owned --------------------------------------
dpkg-deb -c "$deb" >"$work/contents"
awk '$1 !~ /^d/ { print $6 }' "$work/contents" | sort >"$work/files"
sort >"$work/expected" <<'EOF'
./etc/tidemark/agent.toml
./etc/tidemark/controller.toml
./etc/tidemark/policy.toml
./lib/systemd/system/tidemark-agent.service
./lib/systemd/system/tidemark-controller.service
./usr/bin/tidemark
./usr/bin/tidemark-agent
./usr/bin/tidemark-controller
./usr/share/tidemark/default_policy.toml
EOF
# Anything else (a test binary, a benchmark, urbit-standin, a fuzz target) fails here.
diff -u "$work/expected" "$work/files" >&2 || fail "the package's files differ from the list above"
awk '{ print $2 }' "$work/contents" | grep -vx 'root/root' &&
  fail "files not owned by root/root in the package"

root=$work/root
dpkg-deb -x "$deb" "$root"
for program in tidemark tidemark-agent tidemark-controller; do
  [ -x "$root/usr/bin/$program" ] || fail "./usr/bin/$program is not executable"
  # CPACK_STRIP_FILES: no debug sections in the package (they are most of the size).
  if readelf -S "$root/usr/bin/$program" | grep -q '\.debug_info'; then
    fail "./usr/bin/$program is not stripped"
  fi
done
cmp -s "$root/etc/tidemark/policy.toml" "$root/usr/share/tidemark/default_policy.toml" ||
  fail "/etc/tidemark/policy.toml is not a copy of the default policy"

# --- units -----------------------------------------------------------------------------
controller_unit=$root/lib/systemd/system/tidemark-controller.service
agent_unit=$root/lib/systemd/system/tidemark-agent.service
for line in 'User=tidemark' 'Group=tidemark' \
  'ExecStart=/usr/bin/tidemark-controller --config /etc/tidemark/controller.toml' \
  'StateDirectory=tidemark' 'StateDirectoryMode=0750' 'RuntimeDirectory=tidemark' \
  'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
  'NoNewPrivileges=yes' 'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' \
  'ProtectKernelLogs=yes' 'ProtectControlGroups=yes' 'ProtectClock=yes' 'ProtectHostname=yes' \
  'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'RestrictNamespaces=yes' \
  'RestrictRealtime=yes' 'RestrictSUIDSGID=yes' 'LockPersonality=yes' \
  'MemoryDenyWriteExecute=yes' 'SystemCallArchitectures=native' \
  'SystemCallFilter=@system-service' 'CapabilityBoundingSet=' 'AmbientCapabilities=' \
  'UMask=0027' 'LimitNOFILE=1048576' 'Restart=on-failure' 'RestartSec=5s' 'Type=simple' \
  'After=network-online.target' 'Wants=network-online.target'; do
  has "$controller_unit" "$line"
done
for line in 'ExecStart=/usr/bin/tidemark-agent --config /etc/tidemark/agent.toml' \
  'CapabilityBoundingSet=CAP_BPF CAP_DAC_READ_SEARCH CAP_PERFMON CAP_SYS_PTRACE' \
  'ProtectSystem=strict' 'ProtectHome=read-only' 'PrivateTmp=yes' 'NoNewPrivileges=yes' \
  'StateDirectory=tidemark-agent' 'StateDirectoryMode=0700' 'ReadOnlyPaths=/proc/sys /sys' \
  'ProtectKernelModules=yes' 'ProtectKernelLogs=yes' 'ProtectControlGroups=yes' \
  'ProtectClock=yes' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK' \
  'LockPersonality=yes' 'MemoryDenyWriteExecute=yes' 'RestrictRealtime=yes' \
  'SystemCallArchitectures=native' 'Restart=on-failure' 'RestartSec=5s'; do
  has "$agent_unit" "$line"
done
# The agent tunes /proc/sys and /sys and must write them as uid 0 (README, Installing).
lacks "$agent_unit" '^ProtectKernelTunables='
lacks "$agent_unit" '^(User|DynamicUser)=[^r]'
# Not enabled by the package: no symlinks under /etc/systemd in it, none made by postinst.
lacks "$work/postinst" 'systemctl (enable|start)'

# systemd-analyze verify works without systemd as PID 1 (it loads the units into a test
# manager). Not with --root on the extracted tree: that tree has no sysinit.target and
# friends to resolve the default dependencies against. So it reads copies whose
# ExecStart= points at the extracted programs (which it checks are executable), against
# this host's own units. It exits 0 on some problems and only prints them (unknown
# directives, bad values), hence the grep. --man=no: the units name no man pages.
if command -v systemd-analyze >/dev/null; then
  mkdir "$work/units"
  for unit in "$controller_unit" "$agent_unit"; do
    sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" >"$work/units/$(basename "$unit")"
  done
  if ! SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$work"/units/*.service \
      >"$work/verify.log" 2>&1; then
    cat "$work/verify.log" >&2
    fail "systemd-analyze verify failed"
  fi
  if grep -E 'Unknown|Failed|ignoring|not executable|Invalid' "$work/verify.log" >&2; then
    fail "systemd-analyze verify complained"
  fi
else
  echo "systemd-analyze missing: units not verified"
fi

# --- the extracted programs run ---------------------------------------------------------
bin=$root/usr/bin
for program in tidemark tidemark-agent tidemark-controller; do
  "$bin/$program" --help >"$work/help" 2>&1 || fail "$program --help failed: $(cat "$work/help")"
done

# The shipped configs pass --check-config once keys exist (flags win over the file,
# so the key paths point into the temp dir instead of /etc/tidemark).
keys=$work/keys
mkdir "$keys"
"$bin/tidemark" keys generate --out "$keys/controller" >/dev/null
"$bin/tidemark" keys generate --out "$keys/agent" >/dev/null
out=$("$bin/tidemark-controller" --config "$root/etc/tidemark/controller.toml" \
  --curve-key "$keys/controller.key" --check-config) ||
  fail "controller.toml fails --check-config"
[ "$out" = "tidemark-controller: configuration OK ($root/etc/tidemark/controller.toml)" ] ||
  fail "controller --check-config said: $out"
out=$("$bin/tidemark-agent" --config "$root/etc/tidemark/agent.toml" \
  --curve-key "$keys/agent.key" --controller-pub "$keys/controller.pub" \
  --policy "$root/etc/tidemark/policy.toml" --host-id packaging-test --check-config) ||
  fail "agent.toml fails --check-config"
[ "$out" = "tidemark-agent: configuration OK ($root/etc/tidemark/agent.toml)" ] ||
  fail "agent --check-config said: $out"
# A broken value is refused, naming the file and the key, with exit code 2.
sed 's|^listen = .*|listen = "udp://0.0.0.0:7070"|' "$root/etc/tidemark/controller.toml" \
  >"$work/bad.toml"
set +e
"$bin/tidemark-controller" --config "$work/bad.toml" --curve-key "$keys/controller.key" \
  --check-config >"$work/bad.out" 2>"$work/bad.err"
code=$?
set -e
[ "$code" = 2 ] || fail "a bad listen exited $code, not 2"
[ ! -s "$work/bad.out" ] || fail "a bad config printed to stdout: $(cat "$work/bad.out")"
grep -q '^tidemark-controller: .*listen' "$work/bad.err" ||
  fail "a bad listen was not named: $(cat "$work/bad.err")"

echo "packaging.deb: OK ($deb)"
