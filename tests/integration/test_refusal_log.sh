#!/bin/sh
# README, Security: "An unknown key never gets an answer; the daemon logs
# the refusal (at most 20 a minute)": a key flood is not a log flood.
. "$(dirname "$0")/lib.sh"

if [ "$TIENDO_TEST_CURVE" != 1 ]; then
	skip "refused keys are logged at most 20 a minute" "plain mode: no keys"
	finish
	exit
fi
start_daemon || exit 1
"$B/tiendo-ctl" keygen --dir "$CKEYS" stranger >/dev/null
refusals() { grep -c "zap: refused CURVE key .*: not in " "$T/tiendod.log"; }
# 30 handshakes with a key the daemon does not know (more: DEALER retries).
i=0
while [ $i -lt 30 ]; do
	"$B/tools/zsend" --timeout 200 --key "$CKEYS/stranger.secret" --client stranger \
		--report "1|xa-a|cay|add|1|now" "$INGEST" >"$T/z.out" 2>&1
	[ $? -eq 2 ] || break  # 2: no reply
	i=$((i + 1))
done
expect_eq "30 strangers, none answered" "$i" 30
[ "$i" = 30 ] || sed 's/^/#   /' "$T/z.out"
ok "the refusals are logged" wait_for 10 sh -c "[ \$(grep -c 'zap: refused CURVE key' '$T/tiendod.log') -ge 20 ]"
expect_eq "at most 20 in the minute" "$(refusals)" 20
expect_match "a logged refusal names the key and the directory" "$(cat "$T/tiendod.log")" \
	"zap: refused CURVE key [^ ]{40} from 127\.0\.0\.1: not in $KEYS/clients"
out=$("$B/tools/zsend" --client probe --report "1|xa-a|cay|add|1|now" "$INGEST")
expect_match "a known client is answered all the while" "$out" "^report 1 ACCEPTED"
stop_daemon
finish
