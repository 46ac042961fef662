#!/bin/sh
# Runs the whole suite: C unit tests, worker tests (islet test) and the wire-level HTTP
# suite. Every runner prints "N passed, N failed" last; this script sums them and prints
# the same line for the whole suite. A runner that dies without its summary counts as one
# failure. Usage: tests/run.sh [BUILD_DIR]
BUILD=${1:-build}
# Sanitizer builds: leaks fail the run, except inside the engine (tests/lsan.supp).
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
ISLET="$BUILD/islet"
total_pass=0
total_fail=0
expected_fail=0
EXPECTED=tests/workers/expected-failures.txt
failed_suites=""

# run NAME CMD...: runs one suite and adds its summary to the totals.
run() {
  name=$1
  shift
  out=$(mktemp)
  "$@" >"$out" 2>&1
  status=$?
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
  # Known failures (tests/workers/expected-failures.txt) do not count; a known failure
  # that passes does.
  base=$(basename "$name")
  if [ -n "$summary" ] && [ -f "$EXPECTED" ]; then
    for t in $(awk -v f="$base" '$1 == f { print $2 }' "$EXPECTED"); do
      if grep -q "^FAIL $t:" "$out"; then
        expected_fail=$((expected_fail + 1))
        sed -i "/^FAIL $t:/d" "$out"
        p=${summary%% passed*}
        f=${summary#*, }
        f=${f%% failed}
        summary="$p passed, $((f - 1)) failed"
        [ "$((f - 1))" -eq 0 ] && status=0
      elif grep -q "^PASS $t " "$out"; then
        echo "FAIL $name: $t is listed in $EXPECTED but passes: take it off the list" >>"$out"
        p=${summary%% passed*}
        f=${summary#*, }
        f=${f%% failed}
        summary="$p passed, $((f + 1)) failed"
        status=1
      fi
    done
  fi
  if [ -z "$summary" ]; then
    echo "FAIL $name: exited with status $status and no summary"
    sed 's/^/    /' "$out" | tail -n 30
    total_fail=$((total_fail + 1))
    failed_suites="$failed_suites $name"
  else
    p=${summary%% passed*}
    f=${summary#*, }
    f=${f%% failed}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" -ne 0 ] || [ "$status" -ne 0 ]; then
      grep -E '^FAIL|islet (error|warn)' "$out" | sed 's/^/    /' | head -n 40
      [ "$f" -eq 0 ] && total_fail=$((total_fail + 1))
      failed_suites="$failed_suites $name"
    fi
    echo "$summary  $name"
  fi
  rm -f "$out"
}

for t in "$BUILD"/tests/*_test; do
  [ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
for t in tests/workers/*.test.js; do
  [ -f "$t" ] && run "workers/$(basename "$t")" "$ISLET" test "$t"
done
# Web-platform-tests data files, run by tests/workers/wpt/harness.js against each area's
# AREA.expected; a config embeds the data from ../shared/wpt-data.
for t in tests/workers/wpt/*.capnp; do
  [ -f "$t" ] && run "workers/wpt/$(basename "$t")" "$ISLET" test "$t"
done
# Worker tests that need several workers: a config each.
for t in tests/workers/configs/*.capnp; do
  [ -f "$t" ] && run "workers/configs/$(basename "$t")" "$ISLET" test "$t"
done
for t in tests/cli/*.py tests/wire/*.py; do
  [ -f "$t" ] || continue
  case "$t" in
    *.py) run "$t" python3 "$t" "$ISLET" ;;
    *) run "$t" sh "$t" "$ISLET" ;;
  esac
done

# Fuzz drivers, briefly: a crash or a broken invariant fails the suite.
fuzz_run() {
  t=$1
  mkdir -p "$BUILD/fuzz/corpus/$t"
  dict=
  [ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
  if "$BUILD/fuzz/${t}_fuzz" -max_total_time="${FUZZ_TEST_SECONDS:-10}" -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$BUILD/fuzz/" $dict "$BUILD/fuzz/corpus/$t" \
      "fuzz/corpus/$t" >"$BUILD/fuzz/$t.log" 2>&1; then
    echo "1 passed, 0 failed"
  else
    tail -n 30 "$BUILD/fuzz/$t.log"
    echo "0 passed, 1 failed"
  fi
}
for f in "$BUILD"/fuzz/*_fuzz; do
  [ "${FUZZ_IN_SUITE:-1}" = 1 ] || break
  [ -x "$f" ] || continue
  t=$(basename "$f" _fuzz)
  run "fuzz/$t" fuzz_run "$t"
done

[ "$expected_fail" -ne 0 ] && echo "($expected_fail known failures listed in $EXPECTED)"
[ -n "$failed_suites" ] && echo "failing:$failed_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
