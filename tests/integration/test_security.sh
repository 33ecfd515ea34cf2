#!/bin/sh
# CurveZMQ and per-unit authorisation end to end: who gets in, under which
# identity, for which units; what a revoked key, a stranger's key and a
# plain client get (nothing stored); plain mode's warning; HTTP bounds.
TEST_CLIENTS="probe sub"
. "$(dirname "$0")/lib.sh"

TIENDO_TEST_CURVE=1
Z="$B/tools/zsend"
make_keys || exit 1
test_key xa-a                   # may report for xa-a only (the default)
test_key gw "xa-a, xa-b"        # a gateway for both communes
test_key leaver                 # will be revoked while connected
echo "units = xa-b" >>"$KEYS/clients/leaver.key"
"$B/tiendo-ctl" keygen --dir "$CKEYS" stranger >/dev/null  # never authorised
start_daemon --alert-pending 0 --alert-interval 200ms || exit 1

log_has() { grep -q -- "$1" "$T/tiendod.log"; }

# --- the known client ------------------------------------------------------
out=$($Z --client xa-a --report "1|xa-a|cay|add|10|now" "$INGEST")
expect_match "known key: accepted" "$out" "report 1 ACCEPTED"
expect_match "ack names the key's identity" "$out" "^client xa-a$"
out=$($Z --key "$CKEYS/xa-a.secret" --client xa-b --report "2|xa-a|cay|add|1|now" "$INGEST")
expect_match "Batch.client is ignored: the key decides" "$out" "^client xa-a$"
expect_eq "stored under the key's identity" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT group_concat(DISTINCT client) FROM reports")" "xa-a"

# --- units a client may report for ----------------------------------------
out=$($Z --client xa-a --report "3|xa-b|cay|add|5|now" --report "4|xa-a|cay|add|1|now" "$INGEST")
expect_match "another unit: rejected UNIT_NOT_ALLOWED" "$out" \
	"report 3 REJECTED UNIT_NOT_ALLOWED client \"xa-a\" may not report for unit \"xa-b\""
expect_match "its own unit in the same batch: accepted" "$out" "report 4 ACCEPTED"
expect_eq "nothing stored for the other unit" "$(rows "WHERE unit = 'xa-b'")" 0
ok "the refusal is logged" log_has "client xa-a reported for unit xa-b, which it may not"
out=$($Z --client gw --report "1|xa-a|cay|add|1|now" --report "2|xa-b|cay|add|1|now" "$INGEST")
expect_match "a units line allows several units" "$out" "report 1 ACCEPTED.*
report 2 ACCEPTED"

# --- tiendo-push with its key ----------------------------------------------
out=$("$B/tiendo-push" --unit xa-a --task cay --add 1 2>&1)
expect_match "tiendo-push with its key (TIENDO_KEY dir): accepted" "$out" "^1 accepted"
out=$("$B/tiendo-push" --key "$CKEYS/xa-a.secret" --server-key "$CKEYS/server.pub" \
	--outbox "$T/ob2.db" --client xa-a --unit xa-b --task cay --add 1 2>&1)
expect_eq "tiendo-push for another unit: exit 65" "$?" 65
expect_match "... rejected unit_not_allowed" "$out" "unit_not_allowed"
out=$("$B/tiendo-push" --key "$CKEYS/xa-a.secret" --server-key "$CKEYS/stranger.pub" \
	--outbox "$T/ob3.db" --timeout 1 --retries 0 --unit xa-a --task cay --add 1 2>&1)
expect_eq "tiendo-push with the wrong server key: still pending (75)" "$?" 75

# --- refused at the handshake: nothing gets through -----------------------
before=$(rows "")
out=$($Z --timeout 1500 --key "$CKEYS/stranger.secret" --client stranger \
	--report "1|xa-a|cay|add|999|now" "$INGEST" 2>&1)
expect_match "unknown (random) key: no answer" "$out" "no reply"
ok "unknown key: refused by the ZAP handler" log_has "refused CURVE key"
out=$($Z --timeout 1500 --plain --client xa-a --report "90|xa-a|cay|add|999|now" "$INGEST" 2>&1)
expect_match "plain client against a CURVE server: no answer" "$out" "no reply"
out=$($Z --timeout 1500 --key "$CKEYS/xa-a.secret" --server-key "$CKEYS/stranger.pub" \
	--client xa-a --report "91|xa-a|cay|add|999|now" "$INGEST" 2>&1)
expect_match "client expecting another server key: no answer" "$out" "no reply"
expect_eq "none of theirs stored" "$(rows "")" "$before"

# --- revocation: SIGHUP locks out new and established connections ---------
rm -f "$T/go"
$Z --client leaver --report "1|xa-b|cay|add|2|now" --then-wait "$T/go" \
	"$INGEST" >"$T/leaver.out" 2>&1 &
LPID=$!
PIDS="$PIDS $LPID"
ok "leaver accepted before revocation" wait_for 10 grep -q "report 1 ACCEPTED" "$T/leaver.out"
rm "$KEYS/clients/leaver.key"
kill -HUP "$DPID"
ok "SIGHUP reloads the keys" wait_for 10 log_has "zap: reloaded"
touch "$T/go"
wait "$LPID"
out=$(sed -n '/^again/,$p' "$T/leaver.out")
expect_match "revoked key on its open connection: refused" "$out" \
	"error BATCH_BAD_CLIENT"
expect_match "... with the reason" "$out" "client \"leaver\" is no longer authorised"
out=$($Z --timeout 1500 --client leaver --report "5|xa-b|cay|add|2|now" "$INGEST" 2>&1)
expect_match "revoked key on a new connection: no answer" "$out" "no reply"
expect_eq "only the report from before the revocation is stored" \
	"$(rows "WHERE client = 'leaver'")" 1
# A key replaced under the same name: the old key's open connection is out.
rm -f "$T/go"
$Z --client xa-a --report "7|xa-a|cay|add|1|now" --then-wait "$T/go" \
	"$INGEST" >"$T/swap.out" 2>&1 &
SPID=$!
PIDS="$PIDS $SPID"
ok "the old key's connection is answered" wait_for 10 grep -q "report 7 ACCEPTED" "$T/swap.out"
mv "$CKEYS/xa-a.secret" "$CKEYS/xa-a.secret.old"
mv "$CKEYS/xa-a.pub" "$CKEYS/xa-a.pub.old"
test_key xa-a
n=$(grep -c "zap: reloaded" "$T/tiendod.log")
kill -HUP "$DPID"
ok "SIGHUP reloads the replaced key" \
	wait_for 10 sh -c "[ \$(grep -c 'zap: reloaded' '$T/tiendod.log') -gt $n ]"
touch "$T/go"
wait "$SPID"
expect_match "replaced key: the old key's open connection is refused" \
	"$(sed -n '/^again/,$p' "$T/swap.out")" "error BATCH_BAD_CLIENT"
out=$($Z --client xa-a --report "8|xa-a|cay|add|1|now" "$INGEST")
expect_match "... and the new key is accepted" "$out" "report 8 ACCEPTED"

echo "not a key" >"$KEYS/clients/broken.key"
kill -HUP "$DPID"
ok "a broken key file refuses the reload" wait_for 10 log_has "reload refused"
out=$($Z --client xa-a --report "9|xa-a|cay|add|1|now" "$INGEST")
expect_match "the old keys stay after a refused reload" "$out" "report 9 ACCEPTED"
rm "$KEYS/clients/broken.key"

# --- alerts: a subscriber needs a key as much as a reporter -----------------
"$B/tiendo-sub" --json >"$T/keyed.out" 2>"$T/keyed.err" &
PIDS="$PIDS $!"
env -u TIENDO_KEY -u TIENDO_SERVER_KEY "$B/tiendo-sub" --json \
	>"$T/nokey.out" 2>"$T/nokey.err" &
PIDS="$PIDS $!"
out=$($Z --client gw --report "100|xa-b|cay|set|1|now" "$INGEST" 2>&1)
expect_match "a report far behind pace is accepted" "$out" "report 100 ACCEPTED"
ok "a subscriber with a key gets the alert" \
	wait_for 15 grep -q '"transition": *"firing"' "$T/keyed.out"
expect_eq "a subscriber without a key gets nothing" "$(wc -c <"$T/nokey.out")" 0

# --- HTTP: only what it serves --------------------------------------------
expect_eq "HTTP unknown path: 404" "$(get_status /etc/passwd)" 404
expect_eq "HTTP bad parameter: 400" "$(get_status '/v1/tallies?unit=nope')" 400
big=$(head -c 20000 /dev/zero | tr '\0' x)
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "X-Big: $big" "$HTTP/healthz")
expect_match "HTTP oversized headers refused" "$code" "^(400|413|431|000)$"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST --data "$big" "$HTTP/v1/tallies")
expect_match "HTTP POST refused" "$code" "^(405|413|400|501)$"
expect_match "daemon healthy after all that" "$(get /healthz)" '"status": "ok"'
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0

# --- plain mode ------------------------------------------------------------
STATE=$T/plain TIENDO_TEST_CURVE=0
start_daemon || exit 1
out=$($Z --client anyone --report "1|xa-a|cay|add|1|now" "$INGEST")
expect_match "plain mode on loopback: Batch.client is the identity" "$out" "^client anyone$"
ok "plain mode on loopback: no warning" sh -c "! grep -q 'WITHOUT CurveZMQ' '$T/tiendod.log'"
stop_daemon
STATE=$T/plain2
start_daemon --ingest 'tcp://0.0.0.0:0' || exit 1
ok "plain mode beyond loopback: a loud warning" log_has "WITHOUT CurveZMQ"
stop_daemon

# --- a daemon with CURVE on and no key refuses to start -------------------
"$B/tiendod" --plan "$PLAN" --state-dir "$T/nokey" --keys-dir "$T/none" \
	--ingest tcp://127.0.0.1:0 --http 127.0.0.1:0 2>"$T/nokey.log"
expect_eq "no server key: exit 78 (EX_CONFIG)" "$?" 78
expect_match "... saying how to make one" "$(cat "$T/nokey.log")" "tiendo-ctl keygen"

finish
