#!/bin/sh
# /v1/stream: Server-Sent Events with ids, a resume with Last-Event-ID
# that misses nothing and repeats nothing, a reset when that cannot be
# done, and a bounded number of open streams.
. tests/integration/lib.sh

start_daemon --alert-pending 0 --alert-interval 500ms || exit 1
# ids of one capture, in order: "T A" per event
ids() { sed -n 's/^id: [0-9]*\.\([0-9]*\)\.\([0-9]*\)$/\1 \2/p' "$1"; }
tseqs() { sed -n 's/^data: {"seq":\([0-9]*\),"many".*/\1/p' "$@"; }
aseqs() { sed -n 's/^data: {"seq":\([0-9]*\),"id".*/\1/p' "$@"; }

curl -sN --max-time 20 "$HTTP/v1/stream" >"$T/s1" &
C1=$!
PIDS="$PIDS $C1"
ok "a stream opens with a hello and an id" wait_for 5 grep -q '^event: hello' "$T/s1"
"$B/tiendo-push" -q --client xa-a --unit xa-a --task cay --add 10
ok "a report becomes a tally event" wait_for 3 grep -q '"unit":"xa-a","actual":"10"' "$T/s1"
ok "alert events come too" wait_for 5 grep -q '^event: alert' "$T/s1"
kill "$C1"; wait "$C1" 2>/dev/null
last=$(sed -n 's/^id: //p' "$T/s1" | tail -1)
expect_match "the last id is EPOCH.T.A" "$last" '^[0-9]{13}\.[0-9]+\.[0-9]+$'

# While away: more reports, hence more tally (and alert) events.
events() { get /metrics | sed -n 's/^tiendo_stream_events_total //p'; }
e0=$(events)
"$B/tiendo-push" -q --client xa-b --unit xa-b --task cay --add 20
"$B/tiendo-push" -q --client xa-a --unit xa-a --task dat --set 1.5
ok "events are made while nobody listens" wait_for 10 sh -c \
	"[ \"\$(curl -sf '$HTTP/metrics' | sed -n 's/^tiendo_stream_events_total //p')\" -gt $e0 ]"
curl -sN --max-time 3 -H "Last-Event-ID: $last" "$HTTP/v1/stream" >"$T/s2"
expect_eq "the resumed stream is no reset" "$(grep -c '^event: reset' "$T/s2")" 0
all_t=$(tseqs "$T/s1" "$T/s2" | tr '\n' ' ')
expect_eq "tally events across both: 1..N, no gap, no repeat" "$all_t" \
	"$(seq 1 "$(tseqs "$T/s1" "$T/s2" | wc -l)" | tr '\n' ' ')"
expect_match "the missed reports came on resume" "$(cat "$T/s2")" '"unit":"xa-b","actual":"20"'
hist=$(get '/v1/alerts/history?limit=10000' | jq -r '.alerts[].seq' | tr '\n' ' ')
expect_eq "alert events across both: exactly the history" \
	"$(aseqs "$T/s1" "$T/s2" | tr '\n' ' ')" "$hist"

curl -sN --max-time 2 -H "Last-Event-ID: 1.1.1" "$HTTP/v1/stream" >"$T/s3"
expect_match "an id of another run gets a reset" "$(head -3 "$T/s3")" '^event: reset'

# At most 256 at once: the next one is turned away, not queued.
i=0
while [ $i -lt 256 ]; do
	curl -sN --max-time 60 "$HTTP/v1/stream" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	i=$((i + 1))
done
open() { [ "$(get /metrics | awk '/^tiendo_stream_clients /{ print $2 }')" = 256 ]; }
ok "256 streams open" wait_for 20 open
expect_eq "the 257th gets 503" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$HTTP/v1/stream")" 503
expect_match "... with Retry-After" "$(curl -s -D - -o /dev/null --max-time 5 "$HTTP/v1/stream" | tr -d '\r')" 'Retry-After: 10'
ok "ingest and /healthz still answer" sh -c "'$B/tiendo-push' -q --client xa-a --unit xa-a --task cay --add 1 && curl -sf '$HTTP/healthz' >/dev/null"
finish
