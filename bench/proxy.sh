#!/usr/bin/env bash
# Proxy benchmark: a worker that forwards every request with fetch() to a local upstream
# and returns the upstream's response as it is (bench/proxy/worker.js, served from
# bench/proxy/config.capnp by islet and by workerd, both in the same run, against the same
# upstream). Three loads, each with wrk: small responses (requests per second), 1 MiB
# responses (MB/s down) and 1 MiB request bodies (MB/s up). The upstream answered
# directly is measured too: the ceiling a proxy cannot pass on this machine. Prints the
# figures and the ratios islet/workerd, and writes them with the raw wrk output and the
# server logs to bench/results/proxy-<timestamp>/.
#
# The upstream is bench/proxy/upstream.c, a tiny single-threaded epoll server built here
# with cc: it costs far less CPU per request than either proxy, so the proxies are what
# is measured (Python's http.server would be the bottleneck).
#
# Usage: bench/proxy.sh      (environment variables: see bench/README.md)
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
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNECTIONS:-64}          # small responses
BIG_CONNS=${BENCH_BIG_CONNECTIONS:-16}  # 1 MiB bodies
THREADS=${BENCH_THREADS:-2}
SERVERS=${BENCH_SERVERS:-"islet workerd"}
PORT=${BENCH_PROXY_PORT:-19290}         # upstream; islet +1, workerd +2
STARTUP_TIMEOUT=${BENCH_STARTUP_TIMEOUT:-20}
ISLET=${BENCH_ISLET:-$ROOT/build/islet}
SCENARIOS="small big upload"

for v in DURATION WARMUP RUNS CONNS BIG_CONNS THREADS PORT STARTUP_TIMEOUT; do
  case ${!v} in ''|*[!0-9]*) echo "proxy.sh: $v must be a whole number (got '${!v}')" >&2; exit 2;; esac
done
[ "$RUNS" -ge 1 ] && [ "$DURATION" -ge 1 ] && [ "$THREADS" -ge 1 ] && [ "$CONNS" -ge "$THREADS" ] &&
  [ "$BIG_CONNS" -ge "$THREADS" ] || {
  echo "proxy.sh: need RUNS>=1, DURATION>=1, THREADS>=1 and CONNECTIONS>=THREADS" >&2; exit 2; }

bench_begin proxy wrk curl cc
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }
rss_kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status" 2>/dev/null; }
TICKS=$(getconf CLK_TCK)
port_busy() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; [ $? -ne 7 ]; }
MIB=1048576

# ready PID PORT: 0 once the three routes answer as they should through PORT.
WHY=""
ready() {
  local pid=$1 port=$2 i small=""
  for i in $(seq $((STARTUP_TIMEOUT * 10))); do
    kill -0 "$pid" 2>/dev/null || { WHY="exited before answering"; return 1; }
    small=$(curl -s --max-time 2 "http://127.0.0.1:$port/small" && echo x)
    [ "$small" = "Hello World
x" ] && break
    sleep 0.1
  done
  [ "$small" = "Hello World
x" ] || { WHY="GET /small did not answer 'Hello World' within ${STARTUP_TIMEOUT}s"; return 1; }
  local n
  n=$(curl -s --max-time 10 "http://127.0.0.1:$port/big" | wc -c)
  [ "$n" = "$MIB" ] || { WHY="GET /big gave $n bytes, not $MIB"; return 1; }
  n=$(head -c "$MIB" /dev/zero | curl -s --max-time 10 -H 'Expect:' --data-binary @- "http://127.0.0.1:$port/sink")
  [ "$n" = "ok" ] || { WHY="POST /sink answered '$n', not 'ok'"; return 1; }
  return 0
}

printf 'wrk.method = "POST"\nwrk.body = string.rep("x", %d)\nwrk.headers["Content-Type"] = "application/octet-stream"\n' \
  "$MIB" >"$OUT/upload.lua"

# wrk_run PORT SCENARIO SECONDS FILE
wrk_run() {
  local port=$1 sc=$2 secs=$3 file=$4 c=$CONNS path=/small extra=()
  case $sc in
    big) c=$BIG_CONNS; path=/big ;;
    upload) c=$BIG_CONNS; path=/sink; extra=(-s "$OUT/upload.lua") ;;
  esac
  timeout -k 5 $((secs + 30)) wrk -t"$THREADS" -c"$c" -d"$secs"s --timeout 10s --latency \
    "${extra[@]}" "http://127.0.0.1:$port$path" >"$file" 2>&1
}

# ---- the upstream ---------------------------------------------------------------------
cc -O2 -std=c11 -Wall -Wextra -o "$OUT/upstream" "$BENCH/proxy/upstream.c" 2>"$OUT/upstream-build.log" ||
  { log "proxy.sh: cannot build the upstream (see $OUT/upstream-build.log)"; exit 1; }
for p in $PORT $((PORT + 1)) $((PORT + 2)); do
  port_busy "$p" && { log "proxy.sh: port $p is already in use by a process this script did not start"; exit 1; }
done
"$OUT/upstream" "$PORT" >"$OUT/upstream.log" 2>&1 </dev/null &
UP_PID=$!; STARTED+=("$UP_PID")
ready "$UP_PID" "$PORT" || { log "proxy.sh: the upstream is not ready: $WHY"; exit 1; }

# ---- the proxies ----------------------------------------------------------------------
declare -A PID PORTOF VER NOTE RSS0
NAMES=()
start_one() {
  local name=$1 bin port
  case $name in
    islet)   [ -x "$ISLET" ] || { NOTE[$name]="skipped: $ISLET not built (run make)"; return; }
             cp "$ISLET" "$OUT/islet"; bin=$OUT/islet; port=$((PORT + 1))
             VER[$name]="$(timeout 5 "$bin" --version 2>/dev/null | head -1), git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')" ;;
    workerd) bin=$(peer_workerd) || { NOTE[$name]="skipped: npm package workerd not installed in bench/.peers"; return; }
             port=$((PORT + 2)); VER[$name]=$(timeout 10 "$bin" --version 2>/dev/null | head -1) ;;
    *) NOTE[$name]="skipped: unknown server '$name'"; return ;;
  esac
  log "== $name (${VER[$name]}) on 127.0.0.1:$port"
  (cd "$BENCH/proxy" && UPSTREAM="http://127.0.0.1:$PORT" exec "$bin" serve config.capnp \
     --socket-addr "http=127.0.0.1:$port" >"$OUT/$name.log" 2>&1 </dev/null) &
  PID[$name]=$!; STARTED+=("${PID[$name]}"); PORTOF[$name]=$port
  if ! ready "${PID[$name]}" "$port"; then
    NOTE[$name]="skipped: $WHY (log: results/proxy-$STAMP/$name.log)"; log "   ${NOTE[$name]}"
    stop_pid "${PID[$name]}"; unset "PID[$name]"; return
  fi
  RSS0[$name]=$(rss_kb "${PID[$name]}" VmRSS)
  NAMES+=("$name")
}
for s in islet workerd; do
  case " $SERVERS " in *" $s "*) start_one "$s" ;; esac
done
[ ${#NAMES[@]} -gt 0 ] || { log "proxy.sh: no proxy started"; exit 1; }

# ---- load: runs interleaved between the servers, so a change in the machine's other load
# hits them alike; the upstream alone is measured in the same rounds -------------------
declare -A RPS P99 ERR CPU
if [ "$WARMUP" -gt 0 ]; then
  for sc in $SCENARIOS; do
    for s in "${NAMES[@]}"; do wrk_run "${PORTOF[$s]}" "$sc" "$WARMUP" "$OUT/$s-$sc-warmup.txt"; done
  done
fi
PORTOF[upstream]=$PORT; PID[upstream]=$UP_PID
for i in $(seq "$RUNS"); do
  for sc in $SCENARIOS; do
    for s in "${NAMES[@]}" upstream; do
      [ "$s" = upstream ] && [ "$sc" = upload ] && continue
      f="$OUT/$s-$sc-run$i.txt"
      c0=$(cpu_ticks "${PID[$s]}")
      wrk_run "${PORTOF[$s]}" "$sc" "$DURATION" "$f" || log "   wrk exited non-zero (see $f)"
      c1=$(cpu_ticks "${PID[$s]}")
      read -r rps p99 _ e n <<<"$(wrk_parse "$f")"
      RPS[$s,$sc]+="$rps "; P99[$s,$sc]+="$p99 "
      ERR[$s,$sc]=$(( ${ERR[$s,$sc]:-0} + e + n ))
      CPU[$s,$sc]+="$(awk -v a="${c0:-0}" -v b="${c1:-0}" -v t="$TICKS" -v d="$DURATION" 'BEGIN { printf "%.3f", (b - a) / t / d }') "
      log "   run $i $sc $s: $rps req/s, p99 $p99 ms, errors $((e + n))"
    done
  done
done
for s in "${NAMES[@]}"; do
  kill -0 "${PID[$s]}" 2>/dev/null || NOTE[$s]="died during the load (log: results/proxy-$STAMP/$s.log)"
done

# ---- report ---------------------------------------------------------------------------
med() { median $1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "n/a";
  else printf "%.2f", a / b }'; }
mbs() { awk -v r="$1" -v m="$MIB" 'BEGIN { if (r == "-" || r == "") print "-"; else printf "%.0f", r * m / 1e6 }'; }
percpu() { awk -v r="$1" -v c="$2" 'BEGIN { if (r == "-" || c + 0 <= 0) print "-"; else printf "%.0f", r / c }'; }
declare -A M_RPS M_CPU
for s in "${NAMES[@]}" upstream; do
  for sc in $SCENARIOS; do
    [ -n "${RPS[$s,$sc]:-}" ] || continue
    M_RPS[$s,$sc]=$(med "${RPS[$s,$sc]}"); M_CPU[$s,$sc]=$(med "${CPU[$s,$sc]}")
  done
done
title() { case $1 in small) echo "small responses (GET /small, 12 bytes), -c$CONNS";;
  big) echo "1 MiB responses (GET /big), -c$BIG_CONNS";; upload) echo "1 MiB request bodies (POST /sink), -c$BIG_CONNS";; esac; }
{
  echo "# islet proxy benchmark (fetch() to a local upstream), $(date '+%Y-%m-%d %H:%M:%S %Z')"
  echo
  echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); load average at start $LOADAVG0"
  echo "- worker: bench/proxy/worker.js (\`return fetch(env.UPSTREAM + path, {method, headers, body: request.body})\`)," \
       "served by both from bench/proxy/config.capnp (globalOutbound: a network service allowing loopback)"
  echo "- upstream: bench/proxy/upstream.c (single-threaded epoll, built with cc), on 127.0.0.1:$PORT; 'upstream' rows are wrk against it directly"
  echo "- load: $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }'), -t$THREADS, ${WARMUP}s warm-up per load," \
       "then $RUNS rounds of ${DURATION}s runs, interleaved between the servers; medians reported." \
       "wrk, the upstream and the proxy share the machine's cores: compare the ratios"
  echo "- CPU: the measured process's CPU seconds per second of load; 'per CPU-s' = requests per CPU second of it"
  for s in "${NAMES[@]}"; do echo "- $s: ${VER[$s]}; RSS at start $(awk -v k="${RSS0[$s]:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MB"; done
  for s in islet workerd; do [ -n "${NOTE[$s]:-}" ] && echo "- $s: ${NOTE[$s]}"; done
  for sc in $SCENARIOS; do
    echo
    echo "## $(title "$sc")"
    echo
    echo "| server | req/s | MB/s | p99 ms | errors | CPU | req per CPU-s |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for s in "${NAMES[@]}" upstream; do
      [ -n "${M_RPS[$s,$sc]:-}" ] || continue
      r=${M_RPS[$s,$sc]}
      mb=$( [ "$sc" = small ] && echo "-" || mbs "$r")
      printf '| %s | %.0f | %s | %s | %s | %s | %s |\n' "$s" "$r" "$mb" "$(med "${P99[$s,$sc]}")" \
        "${ERR[$s,$sc]}" "${M_CPU[$s,$sc]}" "$(percpu "$r" "${M_CPU[$s,$sc]}")"
    done
    for s in "${NAMES[@]}" upstream; do
      [ -n "${RPS[$s,$sc]:-}" ] && echo "- $s per run: req/s [${RPS[$s,$sc]% }], CPU [${CPU[$s,$sc]% }]"
    done
  done
  echo
  echo "## Ratios (islet / workerd)"
  echo
  for sc in $SCENARIOS; do
    a=${M_RPS[islet,$sc]:-}; b=${M_RPS[workerd,$sc]:-}
    pa=$(percpu "${a:--}" "${M_CPU[islet,$sc]:-0}"); pb=$(percpu "${b:--}" "${M_CPU[workerd,$sc]:-0}")
    echo "- $sc: throughput $(ratio "$a" "$b"), per CPU second $(ratio "$pa" "$pb")"
  done
  echo
  echo "## Goals"
  echo
  for sc in small big; do
    r=$(ratio "${M_RPS[islet,$sc]:-}" "${M_RPS[workerd,$sc]:-}")
    what=$( [ "$sc" = small ] && echo "small-response requests per second" || echo "1 MiB-response MB/s")
    if [ "$r" = n/a ]; then echo "- $what >= 2x workerd's: not measured"
    else awk -v r="$r" -v w="$what" 'BEGIN { printf "- %s >= 2x workerd'"'"'s: %s (%sx)\n", w, (r >= 2 ? "MET" : "NOT MET"), r }'; fi
  done
} >"$REPORT"

for s in "${NAMES[@]}"; do stop_pid "${PID[$s]}"; done
stop_pid "$UP_PID"
cat "$REPORT"
cp "$REPORT" "$BENCH/results/proxy-latest.md"
log ""
log "results: bench/results/proxy-$STAMP/ (report.md, raw wrk output, server logs); bench/results/proxy-latest.md"
