#!/usr/bin/env bash
# Many-workers benchmark: one workerd config with N module workers and N sockets, served
# by islet and by workerd. Measures the start time until every socket answers, the RSS
# after startup, and the RSS each added worker costs ((RSS_N - RSS_1) / (N - 1)).
# Prints a report and writes it, with the configs and server logs, to
# bench/results/scale-<timestamp>/.
#
# Usage: bench/scale.sh          (environment variables: see bench/README.md)
#
# bench/startup.py starts each server, addresses it by its PID only and stops it by PID;
# every start has a timeout, and a trap stops anything still running, so nothing hangs.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
NM="$BENCH/.peers/node_modules"

N=${BENCH_SCALE_N:-100}
RUNS=${BENCH_SCALE_RUNS:-5}               # starts per server and N; medians reported
PORT_BASE=${BENCH_SCALE_PORT_BASE:-19100} # sockets on PORT_BASE .. PORT_BASE+N-1
SERVERS=${BENCH_SERVERS:-"islet workerd"}
STARTUP_TIMEOUT=${BENCH_STARTUP_TIMEOUT:-30}
SETTLE=${BENCH_IDLE_SETTLE:-1}            # seconds after the last answer before the RSS
ISLET=${BENCH_ISLET:-$ROOT/build/islet}

for v in N RUNS PORT_BASE STARTUP_TIMEOUT SETTLE; do
  case ${!v} in ''|*[!0-9]*) echo "scale.sh: $v must be a whole number (got '${!v}')" >&2; exit 2;; esac
done
[ "$N" -ge 2 ] && [ "$RUNS" -ge 1 ] && [ $((PORT_BASE + N - 1)) -le 65535 ] && [ "$PORT_BASE" -ge 1024 ] || {
  echo "scale.sh: need BENCH_SCALE_N >= 2, BENCH_SCALE_RUNS >= 1 and ports within 1024..65535" >&2; exit 2; }

STAMP=$(date +%Y%m%d-%H%M%S)
LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)
OUT="$BENCH/results/scale-$STAMP"
mkdir -p "$OUT"
REPORT="$OUT/report.md"
log() { printf '%s\n' "$*" >&2; }

if [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
  "$ROOT/scripts/install-bench-deps.sh" || { log "scale.sh: dependency install failed"; exit 1; }
fi
command -v python3 >/dev/null 2>&1 || { log "scale.sh: python3 not found"; exit 1; }

# ---- process bookkeeping: only PIDs started here are ever signalled ----------------
STARTED=()   # startup.py processes; each writes its server's PID to a file in $OUT
cleanup() {
  local p f
  for p in "${STARTED[@]}"; do kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null; done
  sleep 0.5
  for f in "$OUT"/*.pid; do
    [ -f "$f" ] || continue
    p=$(cat "$f"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  done
  for p in "${STARTED[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'log "scale.sh: interrupted"; exit 130' INT TERM

is_elf() { [ -f "$1" ] && [ -x "$1" ] && [ "$(head -c4 "$1" | tail -c3)" = ELF ]; }
peer_workerd() {
  local c
  for c in "$NM/@cloudflare/workerd-linux-64/bin/workerd" "$NM/workerd/bin/workerd"; do
    is_elf "$c" && { echo "$c"; return 0; }
  done
  return 1
}
# A port in the range that already answers belongs to a process this script did not start.
busy_port() {
  local p
  for p in $(seq "$PORT_BASE" $((PORT_BASE + N - 1))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && { echo "$p"; return 0; }
  done
  return 1
}
median() { printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{ a[NR] = $1 }
  END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
        else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "-" || k == "") print "-"; else printf "%.1f", k / 1024 }'; }

# ---- configs: the same files for both servers --------------------------------------
python3 "$BENCH/gen-scale.py" scale "$OUT/n1" 1 "$PORT_BASE" &&
python3 "$BENCH/gen-scale.py" scale "$OUT/n$N" "$N" "$PORT_BASE" || { log "scale.sh: config generation failed"; exit 1; }

declare -A START RSS THR SWEEP ALLSTART VER NOTE

# measure SERVER COUNT BIN: RUNS starts of BIN serve n<COUNT>/config.capnp
measure() {
  local s=$1 n=$2 bin=$3 i line pid rc starts=() rsss=() thr=- sweeps=()
  for i in $(seq "$RUNS"); do
    if p=$(busy_port); then
      NOTE[$s]="stopped: port $p already answers (a process this script did not start)"
      log "   ${NOTE[$s]}"; return 1
    fi
    timeout -k 5 $((STARTUP_TIMEOUT + 20)) python3 "$BENCH/startup.py" \
      --timeout "$STARTUP_TIMEOUT" --settle "$SETTLE" --pidfile "$OUT/$s.pid" \
      --log "$OUT/$s-n$n.log" "$PORT_BASE" "$n" -- "$bin" serve "$OUT/n$n/config.capnp" \
      >"$OUT/$s-n$n-run$i.txt" &
    pid=$!; STARTED+=("$pid")
    wait "$pid"; rc=$?
    line=$(cat "$OUT/$s-n$n-run$i.txt")
    if [ "$rc" -ne 0 ] || [ "${line%% *}" = FAIL ]; then
      NOTE[$s]="N=$n run $i failed (status $rc): ${line:-no output} (log: results/scale-$STAMP/$s-n$n.log)"
      log "   ${NOTE[$s]}"; return 1
    fi
    read -r st rs th sw <<<"$line"
    starts+=("$st"); rsss+=("$rs"); thr=$th; sweeps+=("$sw")
    log "   N=$n run $i: start ${st} ms, RSS $(mb "$rs") MB, threads $th (poll sweep ${sw} ms)"
  done
  START[$s,$n]=$(median "${starts[@]}"); RSS[$s,$n]=$(median "${rsss[@]}")
  THR[$s,$n]=$thr; SWEEP[$s,$n]=$(median "${sweeps[@]}")
  ALLSTART[$s,$n]="${starts[*]}"
}

for s in islet workerd; do
  case " $SERVERS " in *" $s "*) ;; *) continue ;; esac
  case $s in
    islet)   # A snapshot of the binary: a rebuild during the run cannot swap or remove it.
             [ -x "$ISLET" ] && cp "$ISLET" "$OUT/islet" && bin=$OUT/islet || bin=$ISLET
             [ -x "$bin" ] || { NOTE[$s]="skipped: $bin not built (run make)"; continue; }
             VER[$s]="$(timeout 5 "$bin" --version 2>/dev/null | head -1), git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')" ;;
    workerd) bin=$(peer_workerd) || { NOTE[$s]="skipped: npm package workerd not installed in bench/.peers"; continue; }
             VER[$s]=$(timeout 10 "$bin" --version 2>/dev/null | head -1) ;;
  esac
  log "== $s (${VER[$s]})"
  measure "$s" 1 "$bin" && measure "$s" "$N" "$bin"
done

# ---- report ----------------------------------------------------------------------------
per_worker() {   # KB per added worker, or "-"
  local a=${RSS[$1,1]:-} b=${RSS[$1,$N]:-}
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" != - ] && [ "$b" != - ] || { echo -; return; }
  awk -v a="$a" -v b="$b" -v n="$N" 'BEGIN { printf "%.0f", (b - a) / (n - 1) }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "n/a";
  else printf "%.2f", a / b }'; }

{
  echo "# islet many-workers benchmark, $(date '+%Y-%m-%d %H:%M:%S %Z')"
  echo
  echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); load average at start $LOADAVG0"
  echo "- config: N module workers \`export default { fetch() { return new Response(\"w<i>\") } }\`," \
       "each its own file embedded by one workerd config, one socket each on 127.0.0.1:$PORT_BASE..$((PORT_BASE + N - 1));" \
       "islet and workerd serve the same generated files (results/scale-$STAMP/n1, n$N)"
  echo "- start: from the server's exec until every socket has answered GET / with its worker's" \
       "body (polled in order, 2 ms between rounds; one request per worker included);" \
       "median of $RUNS starts. poll sweep = one more GET to every socket once all answer," \
       "the polling's own share of the start time"
  echo "- RSS: VmRSS ${SETTLE}s after the last answer; per added worker = (RSS N=$N - RSS N=1) / $((N - 1))"
  echo
  echo "| server | version | N | start ms (median) | poll sweep ms | RSS MB (median) | threads | starts ms |"
  echo "|---|---|---:|---:|---:|---:|---:|---|"
  for s in islet workerd; do
    case " $SERVERS " in *" $s "*) ;; *) continue ;; esac
    for n in 1 "$N"; do
      echo "| $s | ${VER[$s]:--} | $n | ${START[$s,$n]:--} | ${SWEEP[$s,$n]:--} | $(mb "${RSS[$s,$n]:-}") | ${THR[$s,$n]:--} | ${ALLSTART[$s,$n]:--} |"
    done
  done
  echo
  echo "| server | RSS per added worker KB |"
  echo "|---|---:|"
  for s in islet workerd; do
    case " $SERVERS " in *" $s "*) echo "| $s | $(per_worker "$s") |" ;; esac
  done
  echo
  for s in islet workerd; do [ -n "${NOTE[$s]:-}" ] && echo "- $s: ${NOTE[$s]}"; done
  echo
  echo "## Ratios (islet / workerd; below 1 means islet is lower, better)"
  echo
  echo "- start time, N=$N: $(ratio "${START[islet,$N]:-}" "${START[workerd,$N]:-}")"
  echo "- RSS, N=$N: $(ratio "${RSS[islet,$N]:-}" "${RSS[workerd,$N]:-}")"
  echo "- RSS per added worker: $(ratio "$(per_worker islet)" "$(per_worker workerd)")"
  echo
  echo "## Goals"
  echo
  r=$(ratio "$(per_worker islet)" "$(per_worker workerd)")
  if [ "$r" = n/a ]; then echo "- per-worker memory <= 1/3 of workerd's: not measured"
  else awk -v r="$r" 'BEGIN { printf "- per-worker memory <= 1/3 of workerd'"'"'s: %s (islet/workerd = %s)\n", (r <= 1 / 3 ? "MET" : "NOT MET"), r }'; fi
  t=${START[islet,$N]:-}
  if [ -z "$t" ] || [ "$t" = - ]; then echo "- $N workers start well under a second: not measured"
  else awk -v t="$t" -v n="$N" 'BEGIN {
    printf "- %d workers start under 1 s: %s (%.0f ms)\n", n, (t < 1000 ? "MET" : "NOT MET"), t
    printf "- %d workers start \"well under\" a second, read as <= 500 ms: %s (%.0f ms)\n", n, (t <= 500 ? "MET" : "NOT MET"), t }'; fi
} >"$REPORT"

cat "$REPORT"
cp "$REPORT" "$BENCH/results/scale-latest.md"
log ""
log "results: bench/results/scale-$STAMP/ (report.md, configs, per-run output, server logs); bench/results/scale-latest.md"
