#!/bin/sh
# Runs the whole suite: C unit tests, worker tests (islet test) and the wire-level HTTP
# suite. Every runner prints "N passed, N failed" last; this script sums them and prints
# the same line for the whole suite. A runner that dies without its summary counts as one
# failure. Usage: tests/run.sh [BUILD_DIR]
BUILD=${1:-build}
ISLET="$BUILD/islet"
total_pass=0
total_fail=0
failed_suites=""

# run NAME CMD...: runs one suite and adds its summary to the totals.
run() {
  name=$1
  shift
  out=$(mktemp)
  "$@" >"$out" 2>&1
  status=$?
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
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
for t in tests/cli/*.py tests/wire/*.py; do
  [ -f "$t" ] || continue
  case "$t" in
    *.py) run "$t" python3 "$t" "$ISLET" ;;
    *) run "$t" sh "$t" "$ISLET" ;;
  esac
done

[ -n "$failed_suites" ] && echo "failing:$failed_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
