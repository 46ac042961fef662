# Shell functions shared by the benchmark scripts (sourced, not run).

# Figures from one wrk output: "reqs p99_ms requests errors non2xx"
wrk_parse() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000;  if (v ~ /s$/) return v * 1000; return v + 0 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { total = $1 }
    /Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    END { printf "%s %s %s %d %d\n", (rps == "" ? "-" : rps), (p99 == "" ? "-" : p99),
          (total == "" ? 0 : total), errs, non2xx }' "$1"
}

median() { printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{ a[NR] = $1 }
  END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
        else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The set-up every benchmark script shares: bench_begin NAME COMMAND... checks the named
# commands (after installing the peers unless BENCH_NO_INSTALL=1), makes the results
# folder bench/results/NAME-<timestamp> ($OUT, $REPORT; $STAMP, $LOADAVG0 are set), and
# defines log, stop_pid, is_elf and peer_workerd. Only PIDs the script adds to STARTED are
# ever signalled: they are stopped on exit or interruption. Call it at the top level.
bench_begin() {
  BENCH_NAME=$1
  shift
  STAMP=$(date +%Y%m%d-%H%M%S)
  LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)
  OUT="$BENCH/results/$BENCH_NAME-$STAMP"
  mkdir -p "$OUT"
  REPORT="$OUT/report.md"
  log() { printf '%s\n' "$*" >&2; }

  if [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
    "$ROOT/scripts/install-bench-deps.sh" || { log "$BENCH_NAME.sh: dependency install failed"; exit 1; }
  fi
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || { log "$BENCH_NAME.sh: $c not found (scripts/install-bench-deps.sh installs wrk)"; exit 1; }
  done

  # ---- process bookkeeping: only PIDs started here are ever signalled ----------------
  STARTED=()
  cleanup() {
    local p
    for p in "${STARTED[@]}"; do kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null; done
    sleep 0.5
    for p in "${STARTED[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  }
  trap cleanup EXIT
  trap 'log "$BENCH_NAME.sh: interrupted"; exit 130' INT TERM

  stop_pid() {   # TERM, up to 5 s grace, then KILL
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  }

  is_elf() { [ -f "$1" ] && [ -x "$1" ] && [ "$(head -c4 "$1" | tail -c3)" = ELF ]; }
  peer_workerd() {
    local c
    for c in "$NM/@cloudflare/workerd-linux-64/bin/workerd" "$NM/workerd/bin/workerd"; do
      is_elf "$c" && { echo "$c"; return 0; }
    done
    return 1
  }
}
