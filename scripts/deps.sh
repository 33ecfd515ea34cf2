#!/bin/sh
# Installs the Debian packages that building and testing tiendo need, and
# only those that are missing, so a fresh machine needs no manual step.
# Usage: scripts/deps.sh [build|run|test|all]
set -eu

build="gcc make pkg-config libzmq3-dev libevent-dev libsqlite3-dev
libprotobuf-c-dev protobuf-c-compiler libsystemd-dev libjansson-dev
libinih-dev libpq-dev tzdata"
# systemd: systemd-analyze verify/security; prometheus: promtool;
# man-db and groff-base: the man pages (verify runs man(1) on Documentation=);
# clang and its runtime (libFuzzer, sanitizers) build the fuzz targets.
test="libcmocka-dev sqlite3 curl jq procps systemd prometheus man-db groff-base
clang libclang-rt-dev socat postgresql"

run="curl jq"

case "${1:-build}" in
build) want=$build ;;
run) want="$build $run" ;;
test|all) want="$build $test" ;;
*) echo "usage: $0 [build|run|test|all]" >&2; exit 64 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
