#!/bin/sh
# make install into a DESTDIR; the unit passes systemd-analyze verify and
# security (exposure <= 1.5); man pages are clean; every program answers
# --help and --version and exits with the sysexits code that fits.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
R="$T/root"
san=
case $B in *-san) san=1 ;; esac
out=$(make -C "$top" --no-print-directory -s install DESTDIR="$R" \
	B="$(basename "$B")" SAN="$san" 2>&1); rc=$?
expect_eq "make install DESTDIR=... exits 0" "$rc" 0
[ $rc -eq 0 ] || echo "$out" | sed 's/^/#   /'
for f in sbin/tiendod bin/tiendo-push bin/tiendo-ctl; do
	ok "installed: /usr/local/$f" test -x "$R/usr/local/$f"
done
for f in /etc/tiendo/tiendod.conf /usr/local/lib/systemd/system/tiendod.service \
	/usr/local/share/tiendo/examples/tam-duong-2021.ini \
	/usr/local/share/tiendo/examples/tiendod.conf \
	/usr/local/share/man/man8/tiendod.8 /usr/local/share/man/man1/tiendo-push.1 \
	/usr/local/share/man/man1/tiendo-sub.1 /usr/local/share/man/man1/tiendo-ctl.1 \
	/usr/local/share/man/man5/tiendo.conf.5 /usr/local/share/doc/tiendo/README.md; do
	ok "installed: $f" test -f "$R$f"
done
UNIT="$R/usr/local/lib/systemd/system/tiendod.service"
expect_match "unit runs the installed daemon" "$(grep ^ExecStart= "$UNIT")" \
	"^ExecStart=/usr/local/sbin/tiendod --config /etc/tiendo/tiendod.conf$"
expect_match "unit reloads with the installed tiendo-ctl" "$(grep ^ExecReload= "$UNIT")" \
	"^ExecReload=/usr/local/bin/tiendo-ctl --config /etc/tiendo/tiendod.conf reload$"
echo "; edited" >>"$R/etc/tiendo/tiendod.conf"
make -C "$top" --no-print-directory -s install DESTDIR="$R" B="$(basename "$B")" SAN="$san" >/dev/null 2>&1
ok "a second install keeps an edited configuration" grep -q "^; edited" "$R/etc/tiendo/tiendod.conf"
make -C "$top" --no-print-directory -s install DESTDIR="$T/root2" PREFIX=/usr \
	B="$(basename "$B")" SAN="$san" >/dev/null 2>&1
expect_match "PREFIX=/usr: unit and binary follow" \
	"$(grep ^ExecStart= "$T/root2/usr/lib/systemd/system/tiendod.service")" \
	"^ExecStart=/usr/sbin/tiendod "
ok "PREFIX=/usr: daemon in /usr/sbin" test -x "$T/root2/usr/sbin/tiendod"
expect_match "PREFIX=/usr: ExecReload= runs the installed tiendo-ctl" \
	"$(grep ^ExecReload= "$T/root2/usr/lib/systemd/system/tiendod.service")" \
	"^ExecReload=/usr/bin/tiendo-ctl --config /etc/tiendo/tiendod.conf reload$"

# --- man pages: groff finds nothing to warn about -----------------------------
for m in "$R"/usr/local/share/man/man*/*; do
	w=$(LC_ALL=C.UTF-8 groff -K utf8 -Tutf8 -man -ww -z "$m" 2>&1)
	expect_eq "man page $(basename "$m"): no groff warnings" "$w" ""
done

# --- systemd ------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart to exist: check a copy that points into DESTDIR,
	# with man: links resolved against the installed pages.
	mkdir -p "$T/unit"
	sed "s|^\(Exec[A-Za-z]*=\)/usr/local/\(s*bin\)/|\1$R/usr/local/\2/|" "$UNIT" >"$T/unit/tiendod.service"
	out=$(MANPATH="$R/usr/local/share/man" systemd-analyze verify "$T/unit/tiendod.service" 2>&1); rc=$?
	expect_eq "systemd-analyze verify: exit 0" "$rc" 0
	expect_eq "systemd-analyze verify: nothing to say" "$out" ""
	out=$(systemd-analyze security --offline=true "$UNIT" 2>&1)
	level=$(echo "$out" | sed -n 's/.*Overall exposure level for tiendod.service: \([0-9.]*\).*/\1/p')
	ok "exposure $level <= 1.5" awk -v l="${level:-99}" 'BEGIN { exit !(l <= 1.5) }'
	expect_match "unit is Type=notify with a watchdog" "$(cat "$UNIT")" "^Type=notify$"
	expect_match "unit has WatchdogSec" "$(cat "$UNIT")" "^WatchdogSec=[0-9]+"
	for d in DynamicUser=yes StateDirectory=tiendo ConfigurationDirectory=tiendo; do
		expect_match "unit has $d" "$(cat "$UNIT")" "^$d$"
	done
else
	flunk "systemd-analyze is missing (scripts/deps.sh test installs systemd)"
fi

# --- --help, --version, sysexits ---------------------------------------------
for p in tiendod tiendo-push tiendo-ctl; do
	bin="$B/$p"
	out=$("$bin" --help 2>&1); rc=$?
	expect_eq "$p --help exits 0" "$rc" 0
	expect_match "$p --help prints a usage" "$out" "^usage: $p"
	out=$("$bin" --version 2>&1); rc=$?
	expect_eq "$p --version exits 0" "$rc" 0
	expect_match "$p --version prints name and version" "$out" "^$p [0-9]+\.[0-9]+\.[0-9]+$"
	"$bin" --no-such-option >/dev/null 2>&1
	expect_eq "$p with a bad option exits 64 (EX_USAGE)" "$?" 64
done
# People try --help after the command, whichever it is.
for c in status check alerts silence reports reload backup keygen user; do
	out=$("$B/tiendo-ctl" $c --help 2>&1); rc=$?
	expect_eq "tiendo-ctl $c --help: exit 0 and the usage" "$rc $(echo "$out" | head -c 17)" "0 usage: tiendo-ctl"
done
"$B/tiendo-ctl" nosuch --help >/dev/null 2>&1
expect_eq "tiendo-ctl with an unknown command exits 64 even with --help" "$?" 64
for c in status reload; do
	"$B/tiendo-ctl" --http bogus $c >/dev/null 2>&1
	expect_eq "tiendo-ctl --http bogus $c: a bad address is bad usage (64), not an unreachable daemon" "$?" 64
done
"$B/tiendo-ctl" --http http://127.0.0.1:1 status >/dev/null 2>&1
expect_eq "and a daemon that does not answer is 69" "$?" 69
make_plan "$T/plan.ini"
"$B/tiendod" --plan "$T/nonexistent.ini" --state-dir "$T/s" 2>/dev/null
expect_eq "tiendod with no plan exits 78 (EX_CONFIG)" "$?" 78
"$B/tiendod" --plan "$T/plan.ini" --state-dir "$T/s" --plain --check >/dev/null 2>&1
expect_eq "tiendod --check of a good plan exits 0" "$?" 0
"$B/tiendod" --plan "$T/plan.ini" --state-dir "$T/s" --log-level loud 2>/dev/null
expect_eq "tiendod with a bad setting exits 64 (EX_USAGE)" "$?" 64
"$B/tiendod" -c "$T/nonexistent.conf" 2>/dev/null
expect_eq "tiendod with no config file exits 78 (EX_CONFIG)" "$?" 78
"$B/tiendo-ctl" check "$T/plan.ini" >/dev/null 2>&1
expect_eq "tiendo-ctl check of a good plan exits 0" "$?" 0
echo "[unit x" >"$T/bad.ini"
"$B/tiendo-ctl" check "$T/bad.ini" >/dev/null 2>&1
expect_eq "tiendo-ctl check of a bad plan exits 65 (EX_DATAERR)" "$?" 65
"$B/tiendo-ctl" --http http://127.0.0.1:1 status >/dev/null 2>&1
expect_eq "tiendo-ctl status, no daemon: 69 (EX_UNAVAILABLE)" "$?" 69
"$B/tiendo-ctl" --http http://127.0.0.1:1 reload >/dev/null 2>&1
expect_eq "tiendo-ctl reload, no daemon: 69 (EX_UNAVAILABLE)" "$?" 69
"$B/tiendo-ctl" frobnicate >/dev/null 2>&1
expect_eq "tiendo-ctl unknown command: 64 (EX_USAGE)" "$?" 64
"$B/tiendo-push" --connect tcp://127.0.0.1:1 --timeout 1 --retries 0 \
	--unit xa-a --task cay --add 1 >/dev/null 2>&1
expect_eq "tiendo-push, no daemon: 75 (EX_TEMPFAIL)" "$?" 75
"$B/tiendo-push" --client t --csv "$T/nonexistent.csv" >/dev/null 2>&1
expect_eq "tiendo-push, no CSV file: 66 (EX_NOINPUT)" "$?" 66
finish
