#!/usr/bin/env bash
# Module loading benchmark: generates a ~1 MB bundled worker (bench/gen-bundle.py) and
# measures (1) the load statistics islet prints with ISLET_LOAD_STATS=1 (transform,
# compile, evaluate, total per module, summed over the graph) and (2) `islet test` of the
# bundle end to end, with hyperfine when installed, else a timed loop; `islet test` of a
# tiny worker is measured the same way as the fixed cost to subtract.
# Output: stdout and bench/results/module-load/report.md (gitignored).
#
# Usage: bench/module-load.sh     (environment: see bench/README.md)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ISLET=${BENCH_ISLET:-$ROOT/build/islet}
RUNS=${BENCH_LOAD_RUNS:-20}
KB=${BENCH_BUNDLE_KB:-1024}
CHUNKS=${BENCH_BUNDLE_CHUNKS:-8}
OUT="$ROOT/bench/results/module-load"
BUNDLE="$OUT/bundle"

for v in RUNS KB CHUNKS; do
  case ${!v} in ''|*[!0-9]*) echo "module-load.sh: $v must be a whole number (got '${!v}')" >&2; exit 2;; esac
done
[ "$RUNS" -ge 1 ] || { echo "module-load.sh: BENCH_LOAD_RUNS must be >= 1" >&2; exit 2; }
[ -x "$ISLET" ] || { echo "module-load.sh: $ISLET not found (run make -j2)" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "module-load.sh: python3 is needed" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/stats"
python3 "$ROOT/bench/gen-bundle.py" --out "$BUNDLE" --kb "$KB" --chunks "$CHUNKS" >&2 || exit 1

# One checked run first: the bundle must load and its test pass, or nothing is measured.
if ! timeout 60 "$ISLET" test "$BUNDLE/worker.js" >"$OUT/check.txt" 2>&1 || ! grep -qx '1 passed, 0 failed' "$OUT/check.txt"; then
  echo "module-load.sh: islet test of the bundle failed:" >&2
  tail -n 20 "$OUT/check.txt" >&2
  exit 1
fi

# ---- 1. load statistics ----------------------------------------------------------------
for i in $(seq 1 "$RUNS"); do
  ISLET_LOAD_STATS=1 timeout 60 "$ISLET" test "$BUNDLE/worker.js" >/dev/null 2>"$OUT/stats/run-$i.txt"
done

# ---- 2. end to end ---------------------------------------------------------------------
E2E_TOOL=loop
if command -v hyperfine >/dev/null 2>&1; then
  E2E_TOOL=hyperfine
  hyperfine --warmup 3 --runs "$RUNS" --export-json "$OUT/hyperfine.json" \
    -n bundle "$ISLET test $BUNDLE/worker.js" -n tiny "$ISLET test $BUNDLE/tiny.js" \
    >"$OUT/hyperfine.txt" 2>&1 || { echo "module-load.sh: hyperfine failed" >&2; cat "$OUT/hyperfine.txt" >&2; exit 1; }
else
  for name in bundle tiny; do
    file=$BUNDLE/worker.js
    [ "$name" = tiny ] && file=$BUNDLE/tiny.js
    for i in 1 2 3; do "$ISLET" test "$file" >/dev/null 2>&1; done   # warm-up
    : >"$OUT/e2e-$name.txt"
    for i in $(seq 1 "$RUNS"); do
      t0=$(date +%s%N)
      timeout 60 "$ISLET" test "$file" >/dev/null 2>&1
      t1=$(date +%s%N)
      echo $(( (t1 - t0) / 1000 )) >>"$OUT/e2e-$name.txt"   # microseconds
    done
  done
fi

# ---- report ----------------------------------------------------------------------------
python3 - "$OUT" "$BUNDLE" "$RUNS" "$E2E_TOOL" <<'PY' | tee "$OUT/report.md"
import glob, json, os, re, statistics, sys
out, bundle, runs, tool = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
pat = re.compile(r"^islet load: (.+): transform ([\d.]+) ms, compile ([\d.]+) ms, "
                 r"evaluate ([\d.]+) ms, total ([\d.]+) ms$")
main = os.path.realpath(os.path.join(bundle, "worker.js"))
per_run = []  # each: {"main": (t, c, e, tot), "all": (t, c, e, tot), "files": n}
for path in sorted(glob.glob(os.path.join(out, "stats", "run-*.txt"))):
    m_main, sums, files = None, [0.0] * 4, 0
    for line in open(path, encoding="utf-8", errors="replace"):
        m = pat.match(line.rstrip("\n"))
        if not m:
            continue
        vals = [float(x) for x in m.groups()[1:]]
        files += 1
        sums = [a + b for a, b in zip(sums, vals)]
        if os.path.realpath(m.group(1)) == main or m.group(1).endswith("/worker.js"):
            m_main = vals
    if files:
        per_run.append({"main": m_main, "all": sums, "files": files})

size = os.path.getsize(os.path.join(bundle, "worker.js"))
chunks = len(glob.glob(os.path.join(bundle, "chunk-*.js")))
print("# Module loading benchmark\n")
print(f"Bundle: worker.js {size / 1024:.0f} KiB + {chunks} split chunks; {runs} runs; islet test end to end by {tool}.\n")
print("## Load statistics (ISLET_LOAD_STATS=1), median of the runs, ms\n")
if not per_run:
    print("islet printed no `islet load:` lines: this build does not support ISLET_LOAD_STATS.\n")
else:
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    print("| scope | transform | compile | evaluate | total |")
    print("|---|---|---|---|---|")
    mains = [r["main"] for r in per_run if r["main"]]
    if mains:
        print("| worker.js | " + " | ".join(f"{med([m[i] for m in mains]):.2f}" for i in range(4)) + " |")
    print(f"| all {per_run[0]['files']} modules | " + " | ".join(f"{med([r['all'][i] for r in per_run]):.2f}" for i in range(4)) + " |")
    if mains:
        mb = size / 1e6
        print(f"\nTransform throughput (worker.js): {mb / (med([m[0] for m in mains]) / 1000):.1f} MB/s")
    print()

print("## islet test end to end, ms\n")
def e2e(name):
    if tool == "hyperfine":
        data = json.load(open(os.path.join(out, "hyperfine.json")))
        for r in data["results"]:
            if r["command"] == name:
                return [t * 1000 for t in r["times"]]
        return []
    return [int(x) / 1000 for x in open(os.path.join(out, f"e2e-{name}.txt")) if x.strip()]
rows = {n: e2e(n) for n in ("bundle", "tiny")}
print("| worker | median | min | max |")
print("|---|---|---|---|")
for n, xs in rows.items():
    if xs:
        print(f"| {n} | {statistics.median(xs):.1f} | {min(xs):.1f} | {max(xs):.1f} |")
if rows["bundle"] and rows["tiny"]:
    print(f"\nBundle cost over a tiny worker (median difference): "
          f"{statistics.median(rows['bundle']) - statistics.median(rows['tiny']):.1f} ms")
PY
