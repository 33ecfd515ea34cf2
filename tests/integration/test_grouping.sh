#!/bin/sh
# Grouped notifications: the events of one rule for one task under one
# parent unit within alert_group_window (2 s here) come as one AlertGroup
# on group/<task>/<parent>/ with its members (tiendo-sub --grouped); the
# individual events still come, roll-ups and held events are in no group.
TEST_CLIENTS_MORE="t"
. "$(dirname "$0")/lib.sh"

PLAN=$T/plan.ini
make_province_plan "$PLAN"
printf '[tiendod]\nalert_group_window = 2s\n' >"$T/tiendod.conf"
start_daemon -c "$T/tiendod.conf" --alert-pending 0 --alert-interval 200ms || exit 1
g() {
	name=$1; shift
	"$B/tiendo-sub" --grouped --json "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS="$PIDS $!"
}
# Groups close 2 s after their first event; those of the start storm may
# close before a subscriber connects, so a second storm is made below by
# resolving and re-firing, with the subscribers in place.
g all
g thu --task thu
sleep_until_connected() { get /metrics | grep -Eq '^tiendo_subscribers [2-9]'; }
ok "two group subscribers connected" wait_for 10 sleep_until_connected
evaluated() { get /metrics | grep -Eq '^tiendo_alert_evaluations_total [1-9]'; }
ok "a full evaluation ran" wait_for 20 evaluated

# Silence d, then everyone in h2 catches up on cay: a resolve group of c
# and e (d's resolve is held, so in no group).
"$B/tiendo-ctl" silence add --unit d --until "$(day '2 days')" --reason test >/dev/null ||
	flunk "silence not made"
for r in "1|c|cay|set|100|now" "2|d|cay|set|100|now" "3|e|cay|set|100|now"; do
	"$B/tools/zsend" --client t --report "$r" "$INGEST" >/dev/null || flunk "report $r"
done
RES='.rule=="lag" and .kind=="resolved" and .task=="cay" and .parent=="h2"'
ok "one resolve group for h2" wait_for 15 has all "$RES"
grp=$(jq -c "select($RES)" "$T/all.out")
expect_eq "only one such group" "$(printf '%s\n' "$grp" | wc -l)" 1
expect_eq "its members: c and e, not the silenced d" "$(jget "$grp" '[.members[].unit] | sort | join(",")') $(jget "$grp" .count)" "c,e 2"
expect_match "its sentence" "$(jget "$grp" .message)" "^2 xã thuộc Huyện Hai đã bắt kịp tiến độ “Tết trồng cây”: Xã [CE], Xã [CE]$"
seq=$(jget "$grp" '.members[0].seq')
expect_eq "a member is its event's seq, published on its own too" \
	"$(get "/v1/alerts/history?since=$((seq - 1))&limit=1" | jq -r '.alerts[0] | "\(.seq) \(.transition) \(.rule)"')" "$seq resolved lag"
expect_eq "the --task thu subscriber got no cay group" "$(jq -c 'select(.task != "thu")' "$T/thu.out" | wc -l)" 0
expect_eq "no roll-up is a member" "$(jq -r '.members[].unit' "$T/all.out" | grep -c '^h[12]$\|^tinh$')" 0
expect_match "groups are counted" "$(get /metrics | awk '$1 == "tiendo_alert_groups_total" { print $2 }')" "^[1-9]"
"$B/tiendo-sub" --grouped --unit a >/dev/null 2>&1
expect_eq "--grouped with --unit is a usage error" "$?" 64
finish
