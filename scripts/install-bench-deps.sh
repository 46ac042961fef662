#!/bin/sh
# Installs what bench/run.sh needs and the islet build does not: the `wrk` load
# generator (Debian package) and the peer runtimes workerd, bun and deno (npm
# packages) into bench/.peers/ (gitignored). Idempotent. Each peer is installed on its
# own, so one that fails (registry or network trouble) does not stop the others;
# bench/run.sh then skips it with a message. Exit status: 0 if wrk is present, even
# when some peer failed (the failures are printed).
#
# Versions are pinned so runs on different days compare like with like; override with
# e.g. WORKERD_VERSION=latest.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS="$ROOT/bench/.peers"
WORKERD_VERSION=${WORKERD_VERSION:-1.20261117.1}
BUN_VERSION=${BUN_VERSION:-1.4.5}
DENO_VERSION=${DENO_VERSION:-2.9.6}

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "install-bench-deps: installing wrk (apt-get)"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk || {
    echo "install-bench-deps: FAILED to install wrk with apt-get" >&2
    exit 1
  }
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-bench-deps: npm not found; peers (workerd, bun, deno) cannot be installed" >&2
  exit 0
fi

mkdir -p "$PEERS"
[ -f "$PEERS/package.json" ] ||
  printf '{ "name": "islet-bench-peers", "private": true, "version": "0.0.0" }\n' \
    >"$PEERS/package.json"

# The packages' postinstall scripts put the real binary in place (bun's bin/bun.exe is a
# placeholder until then), so scripts must not be disabled here.
for spec in "workerd@$WORKERD_VERSION" "bun@$BUN_VERSION" "deno@$DENO_VERSION"; do
  name=${spec%@*}
  want=${spec#*@}
  have=$(cd "$PEERS" && node -p "require('./node_modules/$name/package.json').version" 2>/dev/null)
  if [ -n "$have" ] && { [ "$have" = "$want" ] || [ "$want" = latest ]; }; then
    continue
  fi
  echo "install-bench-deps: npm install $spec"
  if ! (cd "$PEERS" && npm install --no-audit --no-fund --save-exact "$spec" \
        >"$PEERS/npm-$name.log" 2>&1); then
    echo "install-bench-deps: FAILED: npm install $spec (log: $PEERS/npm-$name.log):" >&2
    tail -5 "$PEERS/npm-$name.log" >&2
  fi
done
exit 0
