#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in their own build dir (clang-14, the
# whole project with ASan+UBSan and coverage instrumentation) and runs each target
# for FUZZ_SECONDS on a fresh copy of its seed corpus. The checked-in corpus under
# tests/fuzz/corpus is only read. Prints executions and crashes per target; exits
# non-zero when any target crashed (or did not run). Called by `make fuzz`.
#
#   tests/fuzz/run_fuzz.sh [BUILD_DIR]        (default build-fuzz)
#   FUZZ_SECONDS=60        run time per target
#   FUZZ_TARGETS="a b"     run only these targets (default: all)
#   JOBS=2                 build parallelism
set -uo pipefail
cd "$(dirname "$0")/../.."

BUILD_DIR=${1:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
JOBS=${JOBS:-2}
ALL_TARGETS=(agent_message_fuzz controller_message_fuzz admin_request_fuzz batch_ingest_fuzz
             config_file_fuzz openmetrics_fuzz tuning_command_fuzz)
read -r -a TARGETS <<< "${FUZZ_TARGETS:-${ALL_TARGETS[*]}}"

# The project libraries get ASan, UBSan (fatal) and libFuzzer's coverage hooks; the
# fuzz targets add -fsanitize=fuzzer themselves (tests/fuzz/CMakeLists.txt). No
# NDEBUG: assertions stay on.
FLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined"
FLAGS+=" -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"

# A build dir configured earlier with another compiler cannot be switched in place.
if [ -f "$BUILD_DIR/CMakeCache.txt" ] &&
   ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++-14' "$BUILD_DIR/CMakeCache.txt"; then
  echo "run_fuzz: $BUILD_DIR was configured with another compiler; reconfiguring from scratch"
  rm -rf "$BUILD_DIR"
fi
# Configure only a new build dir or one with other flags: re-running cmake over a
# configured dir rewrites the flags files and rebuilds every object for nothing.
if ! grep -qxF "CMAKE_CXX_FLAGS:STRING=$FLAGS" "$BUILD_DIR/CMakeCache.txt" 2>/dev/null ||
   ! grep -qx 'TIDEMARK_BUILD_FUZZ:BOOL=ON' "$BUILD_DIR/CMakeCache.txt"; then
  echo "run_fuzz: configuring $BUILD_DIR (clang-14, ASan+UBSan+fuzzer-no-link)"
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="$FLAGS" \
    -DTIDEMARK_BUILD_FUZZ=ON -DTIDEMARK_BUILD_TESTS=ON -DTIDEMARK_BUILD_BENCH=OFF > /dev/null ||
    { echo "run_fuzz: configure failed" >&2; exit 2; }
fi
echo "run_fuzz: building the fuzz targets (-j$JOBS)"
cmake --build "$BUILD_DIR" -j"$JOBS" --target tidemark_fuzz ||
  { echo "run_fuzz: build failed" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
summary=()
for target in "${TARGETS[@]}"; do
  binary="$BUILD_DIR/bin/$target"
  seeds="tests/fuzz/corpus/$target"
  work="$BUILD_DIR/fuzz/$target"
  if [ ! -x "$binary" ] || [ ! -d "$seeds" ]; then
    echo "run_fuzz: no binary $binary or no seeds $seeds" >&2
    summary+=("$(printf '%-26s %12s %9s %8s  %s' "$target" - - - "did not run")")
    failed=1
    continue
  fi
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
  cp -r "$seeds/." "$work/corpus/"
  echo "run_fuzz: $target for ${FUZZ_SECONDS}s ($(ls "$work/corpus" | wc -l) seeds)"
  started=$(date +%s)
  TMPDIR="$PWD/$work/tmp" "$binary" \
    -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=60 \
    -print_final_stats=1 -artifact_prefix="$PWD/$work/artifacts/" \
    "$work/corpus" > "$work/fuzz.log" 2>&1
  rc=$?
  rm -rf "$work/tmp"
  seconds=$(( $(date +%s) - started ))

  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/fuzz.log" | tail -1)
  if [ -z "$execs" ]; then  # killed before the final stats: the last progress line
    execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$work/fuzz.log" | tail -1)
  fi
  rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$work/fuzz.log" | tail -1)
  artifact=$(find "$work/artifacts" -type f | head -1)
  if [ -n "$artifact" ] || [ "$rc" -ne 0 ]; then
    failed=1
    crash=${artifact:-"exit status $rc, no artefact (see $work/fuzz.log)"}
    echo "run_fuzz: $target FAILED: $crash" >&2
    grep -E -m1 -A25 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|FUZZ FINDING|terminate called|==ERROR' \
      "$work/fuzz.log" >&2 || tail -30 "$work/fuzz.log" >&2
  else
    crash=0
  fi
  summary+=("$(printf '%-26s %12s %9s %8s  %s' "$target" "${execs:-?}" "${rate:-?}" "$seconds" "$crash")")
done

echo
printf '%-26s %12s %9s %8s  %s\n' target executions exec/s seconds crashes
printf '%s\n' "${summary[@]}"
echo "(logs and working corpora in $BUILD_DIR/fuzz/<target>/)"
exit "$failed"
