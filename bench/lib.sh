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
