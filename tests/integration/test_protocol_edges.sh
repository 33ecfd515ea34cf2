#!/bin/sh
# PROTOCOL.md at its edges, as a client written from the document alone
# would try them: the limits exactly at and just past their values, the
# largest numbers, which error wins when two things are wrong at once,
# and what CurveZMQ changes (the message size on the wire; a correction
# that names no unit).  Other suites cover the ordinary cases.
TEST_CLIENTS="probe"
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
TIENDO_TEST_CURVE=1
make_keys || exit 1
test_key xa-a                   # may report for xa-a only (the default)
test_key gw "xa-a, xa-b"        # narrowed to xa-a below
start_daemon || exit 1
z() { $Z "$@" "$INGEST" 2>&1; }

# --- 3.4 and 2.9: a correction is judged by the unit of what it voids ------
z --client xa-a --report "1|xa-a|cay|add|10|now-60000" >/dev/null
expect_match "a correction naming no unit (2.9: MAY be empty), from a key of one unit: accepted" \
	"$(z --client xa-a --report "2|||add|0|now" --voids "1|typed 10 for 1")" \
	'^report 2 ACCEPTED'
expect_eq "and it voided the report" "$(tally cay xa-a actual)" 0
z --client gw --report "1|xa-b|cay|add|7|now-60000" >/dev/null
echo "units = xa-a" >"$T/gw.units"
sed -i '/^units/d' "$KEYS/clients/gw.key"
cat "$T/gw.units" >>"$KEYS/clients/gw.key"
kill -HUP "$DPID"
ok "SIGHUP reloads the narrowed key" wait_for 10 grep -q "zap: reloaded" "$T/tiendod.log"
expect_match "voiding a report of a unit the key may no longer report for: UNIT_NOT_ALLOWED" \
	"$(z --client gw --report "2|||add|0|now" --voids "1|wrong unit")" \
	'^report 2 REJECTED UNIT_NOT_ALLOWED client "gw" may not report for unit "xa-b"'
expect_eq "and nothing was voided" "$(tally cay xa-b actual)" 7

# --- 2.2 and 3.5: the size limits, exactly -------------------------------
expect_match "a batch of exactly 1 MiB is read (its report refused: the note is long)" \
	"$(z --report "10|xa-a|cay|add|1|now" --pad-to 1048576)" \
	'^report 10 REJECTED TOO_LONG note'
expect_match "one byte more: BATCH_TOO_LARGE" \
	"$(z --report "10|xa-a|cay|add|1|now" --pad-to 1048577)" '^error BATCH_TOO_LARGE'
# With CurveZMQ each message travels inside a MESSAGE command, 33 bytes
# longer than the message: the limit is the message's, not the command's.
expect_match "with CurveZMQ, a message of exactly 1.25 MiB is still answered" \
	"$(z --garbage 1310720 --timeout 10000)" '^error BATCH_TOO_LARGE'
expect_match "one byte more: the connection is dropped, no reply" \
	"$(z --garbage 1310721 --timeout 1500)" 'no reply'
ok "the daemon is healthy after that" healthy
stop_daemon

# --- plain mode: what Batch.client may be ---------------------------------
STATE=$T/plain TIENDO_TEST_CURVE=0
start_daemon || exit 1
c64=$(printf '%064d' 0 | tr 0 c)
expect_match "a client identity of 64 characters" \
	"$(z --client "$c64" --report "1|xa-a|cay|add|1|now")" "^client $c64\$"
expect_match "65: BATCH_BAD_CLIENT" \
	"$(z --client "${c64}c" --report "1|xa-a|cay|add|1|now")" '^error BATCH_BAD_CLIENT'
# Batch checks run in the order of the table (2.2): version, client,
# reports; a NUL in the client is a bad client whatever else is wrong.
expect_match "version 2 and a NUL in the client: BATCH_VERSION first" \
	"$(z --nul-7f --version 2 --client "abc\x7f" --report "1|xa-a|cay|add|1|now")" \
	'^error BATCH_VERSION'
expect_match "a NUL in the client and no report: BATCH_BAD_CLIENT, not BATCH_EMPTY" \
	"$(z --nul-7f --client "abc\x7f")" '^error BATCH_BAD_CLIENT'
expect_match "a NUL in the client and 1001 reports: BATCH_BAD_CLIENT, not BATCH_TOO_MANY" \
	"$(z --nul-7f --client "abc\x7f" --report "1|xa-a|cay|add|1|now" --repeat 1000)" \
	'^error BATCH_BAD_CLIENT'
expect_match "an invalid client and no report: BATCH_BAD_CLIENT too" \
	"$(z --client "x y")" '^error BATCH_BAD_CLIENT'

# --- 2.2, 2.3: the largest and smallest values -----------------------------
out=$(z --client big --report "1000|xa-a|cay|add|0|now" --repeat 999)
expect_eq "exactly 1000 reports: every one accepted" \
	"$(printf '%s\n' "$out" | grep -c '^report [0-9]* ACCEPTED')" 1000
expect_match "the largest seq (2^64 - 1) is accepted" \
	"$(z --client big --report "18446744073709551615|xa-a|cay|add|0|now")" \
	'^report 18446744073709551615 ACCEPTED'
expect_match "and is a duplicate when sent again" \
	"$(z --client big --report "18446744073709551615|xa-a|cay|add|0|now")" \
	'^report 18446744073709551615 DUPLICATE'
expect_match "2^63 is another seq, not the same one" \
	"$(z --client big --report "9223372036854775808|xa-a|cay|add|0|now")" \
	'^report 9223372036854775808 ACCEPTED'
expect_match "observed_at exactly 2000-01-01T00:00:00Z is accepted" \
	"$(z --client big --report "3|xa-a|cay|add|0|946684800000")" '^report 3 ACCEPTED'
expect_match "one millisecond before: REJECT_BAD_TIME" \
	"$(z --client big --report "4|xa-a|cay|add|0|946684799999")" '^report 4 REJECTED BAD_TIME'
expect_match "the largest observed_at: REJECT_FUTURE" \
	"$(z --client big --report "4|xa-a|cay|add|0|9223372036854775807")" '^report 4 REJECTED FUTURE'
expect_match "an ADD of -10^12 is accepted" \
	"$(z --client big --report "5|xa-a|cay|add|-1000000000000|now")" '^report 5 ACCEPTED'
expect_match "10^12 + 0.001: REJECT_BAD_VALUE" \
	"$(z --client big --report "6|xa-a|cay|add|1000000000000.001|now")" '^report 6 REJECTED BAD_VALUE'
expect_match "a kind no enum names (3): REJECT_BAD_KIND" \
	"$(z --client big --report "6|xa-a|cay|3|1|now")" '^report 6 REJECTED BAD_KIND'

# --- 2.3: which code when two things are wrong ----------------------------
expect_match "invalid UTF-8 in unit and a note too long: the unit's, field by field" \
	"$(z --client big --report "7|\\xff|cay|add|1|now" --pad-note 1001)" \
	'^report 7 REJECTED BAD_UTF8 unit'
expect_match "a value of 33 bytes in a correction: TOO_LONG (its value is ignored, but it is text)" \
	"$(z --client big --report "7|||add|000000000000000000000000000000001|now" --voids "3|x")" \
	'^report 7 REJECTED TOO_LONG value'
expect_match "void_reason without voids_seq is checked after observed_at" \
	"$(z --client big --report "7|xa-a|cay|add|1|0" --voids "0|why")" \
	'^report 7 REJECTED BAD_TIME'
expect_match "void_reason without voids_seq, the rest right: REJECT_BAD_CORRECTION" \
	"$(z --client big --report "7|xa-a|cay|add|1|now" --voids "0|why")" \
	'^report 7 REJECTED BAD_CORRECTION'
stop_daemon
finish
