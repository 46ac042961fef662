#!/usr/bin/env bash
# Chained-call benchmark: workers a -> b -> c in one workerd config, a calling
# env.B.fetch() and b calling env.C.fetch() through service bindings, one socket on a.
# wrk load (as bench/run.sh) against islet and workerd serving the same config file;
# prints req/s, p99 and the ratios islet/workerd, and writes them with the raw wrk output
# and server logs to bench/results/chain-<timestamp>/.
#
# Usage: bench/chain.sh          (environment variables: see bench/README.md)
#
# Every server is started by this script, addressed by its PID only, and stopped by PID;
# every step has a timeout (startup, each wrk run, shutdown), so the script cannot hang.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
NM="$BENCH/.peers/node_modules"

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
RUNS=${BENCH_RUNS:-3}
SERVERS=${BENCH_SERVERS:-"islet workerd"}
PORT=${BENCH_CHAIN_PORT:-19090}
STARTUP_TIMEOUT=${BENCH_STARTUP_TIMEOUT:-20}
IDLE_SETTLE=${BENCH_IDLE_SETTLE:-2}
ISLET=${BENCH_ISLET:-$ROOT/build/islet}

for v in DURATION WARMUP CONNS THREADS RUNS PORT STARTUP_TIMEOUT IDLE_SETTLE; do
  case ${!v} in ''|*[!0-9]*) echo "chain.sh: $v must be a whole number (got '${!v}')" >&2; exit 2;; esac
done
[ "$RUNS" -ge 1 ] && [ "$DURATION" -ge 1 ] && [ "$CONNS" -ge "$THREADS" ] && [ "$THREADS" -ge 1 ] || {
  echo "chain.sh: need RUNS>=1, DURATION>=1, THREADS>=1 and CONNECTIONS>=THREADS" >&2; exit 2; }

bench_begin chain wrk curl python3
rss_kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }
TICKS=$(getconf CLK_TCK)
mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }
port_busy() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; [ $? -ne 7 ]; }

# wait_ready PID: 0 once GET / answers "abc" (the whole chain ran); else 1, reason in WHY.
WHY=""
wait_ready() {
  local pid=$1 i body="" rc
  for i in $(seq $((STARTUP_TIMEOUT * 10))); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null; rc=$?
      WHY="exited with status $rc before answering"; return 1
    fi
    body=$(curl -s --max-time 1 "http://127.0.0.1:$PORT/" && echo x)
    [ "$body" = "abcx" ] && return 0
    sleep 0.1
  done
  if [ -n "$body" ]; then WHY="answered GET / with '${body%x}', not 'abc', within ${STARTUP_TIMEOUT}s"
  else WHY="did not answer GET / within ${STARTUP_TIMEOUT}s"; fi
  return 1
}

wrk_run() {   # wrk_run SECONDS FILE
  timeout -k 5 $(($1 + 30)) wrk -t"$THREADS" -c"$CONNS" -d"$1"s \
    --timeout 5s --latency "http://127.0.0.1:$PORT/" >"$2" 2>&1
}
python3 "$BENCH/gen-scale.py" chain "$OUT/config" "$PORT" || { log "chain.sh: config generation failed"; exit 1; }
CONFIG="$OUT/config/config.capnp"

declare -A R_RPS R_P99 R_ERR R_RSS0 R_RSS1 R_CPU R_VER R_NOTE R_RPSALL R_P99ALL

bench_one() {
  local name=$1 bin pid
  case $name in
    islet)   # A snapshot of the binary: a rebuild during the run cannot swap or remove it.
             [ -x "$ISLET" ] && cp "$ISLET" "$OUT/islet" && bin=$OUT/islet || bin=$ISLET
             [ -x "$bin" ] || { R_NOTE[$name]="skipped: $bin not built (run make)"; return; }
             R_VER[$name]="$(timeout 5 "$bin" --version 2>/dev/null | head -1), git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')" ;;
    workerd) bin=$(peer_workerd) || { R_NOTE[$name]="skipped: npm package workerd not installed in bench/.peers"; return; }
             R_VER[$name]=$(timeout 10 "$bin" --version 2>/dev/null | head -1) ;;
    *) R_NOTE[$name]="skipped: unknown server '$name'"; return ;;
  esac
  if port_busy "$PORT"; then
    R_NOTE[$name]="skipped: port $PORT already in use by a process this script did not start"; return
  fi
  log "== $name (${R_VER[$name]}) on 127.0.0.1:$PORT"
  "$bin" serve "$CONFIG" >"$OUT/$name.log" 2>&1 </dev/null &
  pid=$!; STARTED+=("$pid")
  if ! wait_ready "$pid"; then
    R_NOTE[$name]="skipped: $WHY (log: results/chain-$STAMP/$name.log)"
    log "   ${R_NOTE[$name]}"; stop_pid "$pid"; return
  fi
  sleep "$IDLE_SETTLE"
  R_RSS0[$name]=$(rss_kb "$pid" VmRSS)
  [ "$WARMUP" -gt 0 ] && wrk_run "$WARMUP" "$OUT/$name-warmup.txt"
  local i f rpss=() p99s=() errs=0 c0 c1
  c0=$(cpu_ticks "$pid")
  for i in $(seq "$RUNS"); do
    f="$OUT/$name-run$i.txt"
    wrk_run "$DURATION" "$f" || log "   wrk run $i exited non-zero (see $f)"
    read -r rps p99 _ e n <<<"$(wrk_parse "$f")"
    rpss+=("$rps"); p99s+=("$p99"); errs=$((errs + e + n))
    log "   run $i: $rps req/s, p99 $p99 ms, errors $((e + n))"
    kill -0 "$pid" 2>/dev/null || { log "   server died during the load"; break; }
  done
  c1=$(cpu_ticks "$pid")
  # The load must not have broken the chain: one more request must still give "abc".
  if [ "$(curl -s --max-time 2 "http://127.0.0.1:$PORT/")" != abc ]; then
    R_NOTE[$name]="after the load GET / no longer answers 'abc' (log: results/chain-$STAMP/$name.log)"
  fi
  sleep "$IDLE_SETTLE"
  if kill -0 "$pid" 2>/dev/null; then R_RSS1[$name]=$(rss_kb "$pid" VmRSS)
  else R_NOTE[$name]="server died during the load (log: results/chain-$STAMP/$name.log)"; fi
  R_RPS[$name]=$(median "${rpss[@]}"); R_P99[$name]=$(median "${p99s[@]}")
  R_RPSALL[$name]="${rpss[*]}"; R_P99ALL[$name]="${p99s[*]}"; R_ERR[$name]=$errs
  if [ -n "${c0:-}" ] && [ -n "${c1:-}" ]; then
    R_CPU[$name]=$(awk -v a="$c0" -v b="$c1" -v t="$TICKS" -v d="$((DURATION * RUNS))" \
      'BEGIN { printf "%.2f", (b - a) / t / d }')
  fi
  stop_pid "$pid"
}

for s in islet workerd; do
  case " $SERVERS " in *" $s "*) bench_one "$s" ;; esac
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "n/a";
  else printf "%.2f", a / b }'; }
{
  echo "# islet chained-call benchmark (a -> b -> c by service bindings), $(date '+%Y-%m-%d %H:%M:%S %Z')"
  echo
  echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); load average at start $LOADAVG0"
  echo "- config: results/chain-$STAMP/config/ (the same files for both servers); each request" \
       "to a makes a subrequest env.B.fetch(), which makes env.C.fetch(): 3 worker invocations per request"
  echo "- load: $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }'), -t$THREADS -c$CONNS, ${WARMUP}s warm-up" \
       "then $RUNS x ${DURATION}s measured runs per server; median reported. wrk shares the" \
       "machine's cores with the server (no pinning): compare the ratios"
  echo
  echo "| server | version | req/s (median) | p99 ms (median) | errors | RSS start MB | RSS after MB | server CPU | req per CPU-s |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for s in islet workerd; do
    case " $SERVERS " in *" $s "*) ;; *) continue ;; esac
    if [ -z "${R_RPS[$s]:-}" ]; then echo "| $s | ${R_VER[$s]:--} | - | - | - | - | - | - | - |"
    else
      printf '| %s | %s | %.0f | %s | %s | %s | %s | %s | %s |\n' "$s" "${R_VER[$s]}" "${R_RPS[$s]}" \
        "${R_P99[$s]}" "${R_ERR[$s]}" "$(mb "${R_RSS0[$s]:-}")" "$(mb "${R_RSS1[$s]:-}")" "${R_CPU[$s]:--}" \
        "$(awk -v r="${R_RPS[$s]}" -v c="${R_CPU[$s]:-0}" 'BEGIN { if (c + 0 > 0) printf "%.0f", r / c; else print "-" }')"
    fi
  done
  echo
  for s in islet workerd; do
    [ -n "${R_RPSALL[$s]:-}" ] && echo "- $s per run: req/s [${R_RPSALL[$s]}], p99 ms [${R_P99ALL[$s]}]"
  done
  for s in islet workerd; do [ -n "${R_NOTE[$s]:-}" ] && echo "- $s: ${R_NOTE[$s]}"; done
  echo
  echo "## Ratios (islet / workerd)"
  echo
  echo "- req/s: $(ratio "${R_RPS[islet]:-}" "${R_RPS[workerd]:-}") (above 1: islet serves more)"
  echo "- p99: $(ratio "${R_P99[islet]:-}" "${R_P99[workerd]:-}") (below 1: islet is lower)"
  echo
  echo "## Goals"
  echo
  r=$(ratio "${R_RPS[islet]:-}" "${R_RPS[workerd]:-}")
  if [ "$r" = n/a ]; then echo "- chained-call throughput >= 3x workerd's: not measured"
  else awk -v r="$r" 'BEGIN { printf "- chained-call throughput >= 3x workerd'"'"'s: %s (%sx)\n", (r >= 3 ? "MET" : "NOT MET"), r }'; fi
} >"$REPORT"

cat "$REPORT"
cp "$REPORT" "$BENCH/results/chain-latest.md"
log ""
log "results: bench/results/chain-$STAMP/ (report.md, config, raw wrk output, server logs); bench/results/chain-latest.md"
