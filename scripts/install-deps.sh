#!/bin/sh
# Installs the Debian packages islet builds and tests with. Idempotent; needs root
# (or sudo). Nothing is downloaded at build or run time beyond these packages.
set -e
PKGS="build-essential pkg-config libjavascriptcoregtk-4.1-dev libuv1-dev node-llhttp \
      libssl-dev zlib1g-dev libbrotli-dev libcurl4-openssl-dev libsqlite3-dev libicu-dev libmimalloc-dev \
      python3 curl clang libclang-rt-14-dev openssl ca-certificates"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
