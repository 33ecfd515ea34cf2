#!/bin/sh
# Installs the Debian packages that building and testing tiendo need, and
# only those that are missing, so a fresh machine needs no manual step.
# Usage: scripts/deps.sh [build|run|test|bench|all]
set -eu

build="gcc make pkg-config libzmq3-dev libevent-dev libsqlite3-dev
libprotobuf-c-dev protobuf-c-compiler libsystemd-dev libjansson-dev
libinih-dev libpq-dev tzdata libjs-chart.js libxlsxwriter-dev libsodium-dev"
# systemd: systemd-analyze verify/security; prometheus: promtool;
# man-db and groff-base: the man pages (verify runs man(1) on Documentation=);
# clang and its runtime (libFuzzer, sanitizers) build the fuzz targets;
# python3 runs make mutate (tests/mutate/mutate.py) and test_hostile_http's
# keep-alive client.
test="libcmocka-dev sqlite3 curl jq procps systemd prometheus man-db groff-base
clang libclang-rt-dev socat python3 postgresql
chromium chromium-driver python3-selenium nginx-light openssl"

run="curl jq"

# make bench only: Mosquitto is the broker anchor (tests/bench/mqload.c).
bench="mosquitto libmosquitto-dev sqlite3 curl iproute2"

case "${1:-build}" in
build) want=$build ;;
run) want="$build $run" ;;
test) want="$build $test" ;;
bench) want="$build $bench" ;;
all) want="$build $test $bench" ;;
*) echo "usage: $0 [build|run|test|bench|all]" >&2; exit 64 ;;
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
