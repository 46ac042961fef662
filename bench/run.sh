#!/usr/bin/env bash
# Hello-world benchmark: islet against workerd, bun and deno, with the same load
# generator (wrk) in the same run. Prints a table and ratios to stdout and writes them,
# with the raw wrk output and server logs, to bench/results/<timestamp>/.
#
# Usage: bench/run.sh            (see bench/README.md for the environment variables)
#
# Every server is started by this script, addressed by its PID only, and stopped by PID;
# every step has a timeout (startup, each wrk run, shutdown), so the script cannot hang.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
HELLO="$BENCH/hello"
NM="$BENCH/.peers/node_modules"

DURATION=${BENCH_DURATION:-10}           # seconds per measured run
WARMUP=${BENCH_WARMUP:-3}                # seconds of warm-up load (not measured)
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
RUNS=${BENCH_RUNS:-3}                    # measured runs per server; the median is reported
SERVERS=${BENCH_SERVERS:-"islet workerd bun deno"}
PORT_BASE=${BENCH_PORT_BASE:-18081}      # islet +0, workerd +1, bun +2, deno +3
STARTUP_TIMEOUT=${BENCH_STARTUP_TIMEOUT:-20}
IDLE_SETTLE=${BENCH_IDLE_SETTLE:-2}      # seconds to wait before reading idle RSS
PIN=${BENCH_PIN:-0}                      # 1: server on CPU 0, wrk on CPU 1
ISLET=${BENCH_ISLET:-$ROOT/build/islet}

for v in DURATION WARMUP CONNS THREADS RUNS PORT_BASE STARTUP_TIMEOUT IDLE_SETTLE; do
  case ${!v} in ''|*[!0-9]*) echo "run.sh: $v must be a whole number (got '${!v}')" >&2; exit 2;; esac
done
[ "$RUNS" -ge 1 ] && [ "$DURATION" -ge 1 ] && [ "$CONNS" -ge "$THREADS" ] && [ "$THREADS" -ge 1 ] || {
  echo "run.sh: need RUNS>=1, DURATION>=1, THREADS>=1 and CONNECTIONS>=THREADS" >&2; exit 2; }

STAMP=$(date +%Y%m%d-%H%M%S)
LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)   # other work on the machine skews the figures
OUT="$BENCH/results/$STAMP"
mkdir -p "$OUT"
REPORT="$OUT/report.md"

log() { printf '%s\n' "$*" >&2; }

# ---- dependencies ------------------------------------------------------------------
if [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
  "$ROOT/scripts/install-bench-deps.sh" || { log "run.sh: dependency install failed"; exit 1; }
fi
command -v wrk >/dev/null 2>&1 || { log "run.sh: wrk not found (scripts/install-bench-deps.sh installs it)"; exit 1; }
command -v curl >/dev/null 2>&1 || { log "run.sh: curl not found"; exit 1; }
if [ "$PIN" = 1 ] && ! command -v taskset >/dev/null 2>&1; then
  log "run.sh: BENCH_PIN=1 needs taskset (util-linux)"; exit 1
fi
SRV_PREFIX=(); WRK_PREFIX=()
if [ "$PIN" = 1 ]; then SRV_PREFIX=(taskset -c 0); WRK_PREFIX=(taskset -c 1); fi

# ---- process bookkeeping: only PIDs started here are ever signalled ----------------
STARTED=()
cleanup() {
  local p
  for p in "${STARTED[@]}"; do
    kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
  done
  sleep 0.5
  for p in "${STARTED[@]}"; do
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  done
}
trap cleanup EXIT
trap 'log "run.sh: interrupted"; exit 130' INT TERM

stop_pid() {   # stop_pid PID: TERM, up to 5 s grace, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

# ---- helpers -------------------------------------------------------------------------
is_elf() { [ -f "$1" ] && [ -x "$1" ] && [ "$(head -c4 "$1" | tail -c3)" = ELF ]; }

# The real server binary, never a Node.js wrapper (its PID would not be the server's,
# and its RSS would be Node's).
peer_bin() {
  local c
  case $1 in
    workerd) set -- "$NM/@cloudflare/workerd-linux-64/bin/workerd" "$NM/workerd/bin/workerd" ;;
    bun)     set -- "$NM/bun/bin/bun.exe" "$NM/@oven/bun-linux-x64/bin/bun" \
                    "$NM/@oven/bun-linux-x64-baseline/bin/bun" ;;
    deno)    set -- "$NM/@deno/linux-x64-glibc/deno" "$NM/deno/deno" ;;
  esac
  for c in "$@"; do is_elf "$c" && { echo "$c"; return 0; }; done
  return 1
}

rss_kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status" 2>/dev/null; }
threads_of() { awk '$1 == "Threads:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }
TICKS=$(getconf CLK_TCK)
mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }

port_busy() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; [ $? -ne 7 ]; }

# wait_ready PID PORT: 0 once GET / answers "Hello World\n"; otherwise 1 with the reason
# in WHY (the process exited, or the startup timeout passed).
WHY=""
wait_ready() {
  local pid=$1 port=$2 i body="" rc
  for i in $(seq $((STARTUP_TIMEOUT * 10))); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null; rc=$?
      WHY="exited with status $rc before answering"; return 1
    fi
    body=$(curl -s --max-time 1 "http://127.0.0.1:$port/" && echo x)
    [ "$body" = "Hello World"$'\n'"x" ] && return 0
    sleep 0.1
  done
  if [ -n "$body" ]; then WHY="answered GET / but not with 'Hello World' within ${STARTUP_TIMEOUT}s"
  else WHY="did not answer GET / within ${STARTUP_TIMEOUT}s"; fi
  return 1
}

# wrk_run PORT SECONDS FILE
wrk_run() {
  timeout -k 5 $(($2 + 30)) "${WRK_PREFIX[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$2"s \
    --timeout 5s --latency "http://127.0.0.1:$1/" >"$3" 2>&1
}

version_of() {
  local v
  case $1 in
    islet) v=$(timeout 5 "$2" --version 2>/dev/null | head -1)
           [ -n "$v" ] || v="islet"
           v="$v, git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(
              git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')" ;;
    deno)  v=$(timeout 10 "$2" --version 2>/dev/null | head -1 | awk '{ print $1, $2 }') ;;
    bun)   v="bun $(timeout 10 "$2" --version 2>/dev/null | head -1)" ;;
    workerd) v=$(timeout 10 "$2" --version 2>/dev/null | head -1) ;;
  esac
  echo "$v"
}

# ---- one server --------------------------------------------------------------------
declare -A R_RPS R_P99 R_ERR R_RSS0 R_RSS1 R_HWM R_CPU R_VER R_THR R_NOTE R_RPSALL R_P99ALL

bench_one() {
  local name=$1 port=$2 bin cmd=() env=() pid
  case $name in
    islet)
      bin=$ISLET
      [ -x "$bin" ] || { R_NOTE[$name]="skipped: $bin not built (run make)"; return; }
      cmd=("$bin" serve "$HELLO/worker.js" --listen "127.0.0.1:$port") ;;
    workerd)
      bin=$(peer_bin workerd) || { R_NOTE[$name]="skipped: npm package workerd not installed in bench/.peers"; return; }
      cmd=("$bin" serve "$HELLO/config.capnp" --socket-addr "http=127.0.0.1:$port") ;;
    bun)
      bin=$(peer_bin bun) || { R_NOTE[$name]="skipped: npm package bun not installed in bench/.peers"; return; }
      env=(PORT="$port" BUN_RUNTIME_TRANSPILER_CACHE_PATH=0)
      cmd=("$bin" run "$HELLO/bun.js") ;;
    deno)
      bin=$(peer_bin deno) || { R_NOTE[$name]="skipped: npm package deno not installed in bench/.peers"; return; }
      env=(PORT="$port" DENO_DIR="$BENCH/.peers/deno-dir" DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1)
      cmd=("$bin" run --allow-net=127.0.0.1 --allow-env=PORT "$HELLO/deno.js") ;;
    *) R_NOTE[$name]="skipped: unknown server '$name'"; return ;;
  esac
  R_VER[$name]=$(version_of "$name" "$bin")

  if port_busy "$port"; then
    R_NOTE[$name]="skipped: port $port already in use by a process this script did not start"
    return
  fi
  log "== $name (${R_VER[$name]}) on 127.0.0.1:$port"
  env "${env[@]}" "${SRV_PREFIX[@]}" "${cmd[@]}" >"$OUT/$name.log" 2>&1 </dev/null &
  pid=$!
  STARTED+=("$pid")
  if ! wait_ready "$pid" "$port"; then
    R_NOTE[$name]="skipped: $WHY (log: results/$STAMP/$name.log)"
    log "   ${R_NOTE[$name]}"
    stop_pid "$pid"
    return
  fi
  sleep "$IDLE_SETTLE"
  R_RSS0[$name]=$(rss_kb "$pid" VmRSS)

  [ "$WARMUP" -gt 0 ] && wrk_run "$port" "$WARMUP" "$OUT/$name-warmup.txt"
  local i f rpss=() p99s=() errs=0 c0 c1 line
  c0=$(cpu_ticks "$pid")
  for i in $(seq "$RUNS"); do
    f="$OUT/$name-run$i.txt"
    wrk_run "$port" "$DURATION" "$f" || log "   wrk run $i exited non-zero (see $f)"
    read -r rps p99 total e n <<<"$(wrk_parse "$f")"
    rpss+=("$rps"); p99s+=("$p99"); errs=$((errs + e + n))
    log "   run $i: $rps req/s, p99 $p99 ms, errors $((e + n))"
    kill -0 "$pid" 2>/dev/null || { log "   server died during the load"; break; }
  done
  c1=$(cpu_ticks "$pid")
  R_THR[$name]=$(threads_of "$pid")
  sleep "$IDLE_SETTLE"
  if kill -0 "$pid" 2>/dev/null; then
    R_RSS1[$name]=$(rss_kb "$pid" VmRSS)
    R_HWM[$name]=$(rss_kb "$pid" VmHWM)
  else
    R_NOTE[$name]="server died during the load (log: results/$STAMP/$name.log)"
  fi
  R_RPS[$name]=$(median "${rpss[@]}")
  R_P99[$name]=$(median "${p99s[@]}")
  R_RPSALL[$name]="${rpss[*]}"
  R_P99ALL[$name]="${p99s[*]}"
  R_ERR[$name]=$errs
  # Server CPU seconds spent per second of measured load (1.0 = one full core).
  if [ -n "${c0:-}" ] && [ -n "${c1:-}" ]; then
    R_CPU[$name]=$(awk -v a="$c0" -v b="$c1" -v t="$TICKS" -v d="$((DURATION * RUNS))" \
      'BEGIN { printf "%.2f", (b - a) / t / d }')
  fi
  stop_pid "$pid"
}

port=$PORT_BASE
for s in islet workerd bun deno; do
  case " $SERVERS " in *" $s "*) bench_one "$s" "$port" ;; esac
  port=$((port + 1))
done

# ---- report ----------------------------------------------------------------------------
CORES=$(nproc)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "n/a";
  else printf "%.2f", a / b }'; }

{
  echo "# islet hello-world benchmark, $(date '+%Y-%m-%d %H:%M:%S %Z')"
  echo
  echo "- machine: $CORES cores ($CPU_MODEL), $(uname -sr); load average at start $LOADAVG0"
  echo "- load: $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }'), -t$THREADS -c$CONNS," \
       "${WARMUP}s warm-up then $RUNS x ${DURATION}s measured runs per server; median reported"
  if [ "$PIN" = 1 ]; then
    echo "- CPU pinning: server on CPU 0, wrk on CPU 1 (BENCH_PIN=1)"
  else
    echo "- NOTE: the load generator and the server share the machine's $CORES cores (no pinning)," \
         "so absolute figures are low and noisy; compare the ratios, all taken in this one run"
  fi
  echo "- RSS: VmRSS of the server process after startup (idle), and after the load (idle," \
       "${IDLE_SETTLE}s later); peak = VmHWM"
  echo "- CPU: server CPU seconds per second of measured load (1.00 = one full core);" \
       "req per CPU-s = req/s divided by that, i.e. requests served per second of server CPU"
  echo
  echo "| server | version | req/s (median) | p99 ms (median) | errors | RSS start MB | RSS after MB | peak RSS MB | server CPU | req per CPU-s | threads |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in islet workerd bun deno; do
    case " $SERVERS " in *" $s "*) ;; *) continue ;; esac
    if [ -z "${R_RPS[$s]:-}" ]; then
      echo "| $s | ${R_VER[$s]:--} | - | - | - | - | - | - | - | - | - |"
    else
      printf '| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$s" "${R_VER[$s]}" \
        "${R_RPS[$s]}" "${R_P99[$s]}" "${R_ERR[$s]}" "$(mb "${R_RSS0[$s]:-}")" \
        "$(mb "${R_RSS1[$s]:-}")" "$(mb "${R_HWM[$s]:-}")" "${R_CPU[$s]:--}" \
        "$(awk -v r="${R_RPS[$s]}" -v c="${R_CPU[$s]:-0}" 'BEGIN { if (c + 0 > 0) printf "%.0f", r / c; else print "-" }')" \
        "${R_THR[$s]:--}"
    fi
  done
  echo
  for s in islet workerd bun deno; do
    [ -n "${R_RPSALL[$s]:-}" ] && echo "- $s per run: req/s [${R_RPSALL[$s]}], p99 ms [${R_P99ALL[$s]}]"
  done
  for s in islet workerd bun deno; do
    [ -n "${R_NOTE[$s]:-}" ] && echo "- $s: ${R_NOTE[$s]}"
  done
  echo
  echo "## Ratios (islet / peer)"
  echo
  echo "req/s above 1 means islet serves more; p99 and RSS below 1 mean islet is lower (better)."
  echo
  echo "| ratio | req/s | p99 | RSS after load |"
  echo "|---|---:|---:|---:|"
  for s in workerd deno bun; do
    case " $SERVERS " in *" $s "*) ;; *) continue ;; esac
    echo "| islet/$s | $(ratio "${R_RPS[islet]:-}" "${R_RPS[$s]:-}") | $(ratio "${R_P99[islet]:-}" "${R_P99[$s]:-}") | $(ratio "${R_RSS1[islet]:-}" "${R_RSS1[$s]:-}") |"
  done
  echo
  echo "## Goals"
  echo
  goal() { if [ "$2" = "n/a" ]; then echo "- $1: not measured"; else
    awk -v v="$2" -v g="$3" -v t="$1" -v u="$4" 'BEGIN { printf "- %s: %s (measured %s%s)\n", t, (v + 0 >= g + 0 ? "MET" : "NOT MET"), v, u }'; fi; }
  goal "islet >= 5x workerd req/s" "$(ratio "${R_RPS[islet]:-}" "${R_RPS[workerd]:-}")" 5 "x"
  goal "islet >= deno req/s" "$(ratio "${R_RPS[islet]:-}" "${R_RPS[deno]:-}")" 1 "x"
  if [ -n "${R_RSS0[islet]:-}" ]; then
    awk -v a="${R_RSS0[islet]}" -v b="${R_RSS1[islet]:-0}" 'BEGIN {
      printf "- islet idle RSS <= 30 MB after startup: %s (%.1f MB)\n", (a / 1024 <= 30 ? "MET" : "NOT MET"), a / 1024
      printf "- islet idle RSS <= 30 MB after the load: %s (%.1f MB)\n", (b > 0 && b / 1024 <= 30 ? "MET" : "NOT MET"), b / 1024 }'
  else
    echo "- islet idle RSS <= 30 MB: not measured"
  fi
} >"$REPORT"

cat "$REPORT"
cp "$REPORT" "$BENCH/results/latest.md"
log ""
log "results: bench/results/$STAMP/ (report.md, raw wrk output, server logs); bench/results/latest.md"
