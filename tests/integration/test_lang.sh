#!/bin/sh
# The clients in Vietnamese (TIENDO_LANG=vi or --lang vi, the option
# winning): tiendo-ctl status, alerts, reports and silence with Vietnamese
# headings and words, 1.250,5 and dd/mm/yyyy with the offset; tiendo-push's
# fates, --status and summary the same; tiendo-push reads 1,5 and
# 20/03/2021-style dates, tiendo-ctl --at and --until too, and a '/' date
# that is no day is refused, quoting what was typed.  English is unchanged,
# and so is --json.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

# alerts at once, for tiendo-ctl alerts; groups for tiendo-sub --grouped
printf '[tiendod]\nalert_group_window = 1s\n' >"$T/tiendod.conf"
start_daemon -c "$T/tiendod.conf" --alert-pending 0 --alert-interval 200ms || exit 1
CTL="$B/tiendo-ctl"
DMY='[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \+07:00'
export TZ=Asia/Ho_Chi_Minh

# a group is published once, live: its subscriber first
"$B/tiendo-sub" --grouped --lang vi >"$T/grouped.vi" 2>"$T/grouped.err" &
PIDS="$PIDS $!"
subscribed() { get /metrics | grep -Eq '^tiendo_subscribers [1-9]'; }
ok "the grouped subscriber is connected" wait_for 10 subscribed

OBS=$(date -d '2 days ago' +%d/%m/%Y)
out=$(TIENDO_LANG=vi "$B/tiendo-push" --client k --unit xa-a --task cay --add 1.250,5 \
	--at "$OBS 08:30" --reporter "Nguyễn Văn An" --note "trồng ở đồi") || flunk "tiendo-push in vi"
expect_match "tiendo-push's fate in vi: 1.250,5, dd/mm/yyyy with the offset, đã nhận" "$out" \
	"^xa-a cay \+1\.250,5 @$OBS 08:30:00 \+07:00: đã nhận\$"
expect_match "and its summary" "$out" "^đã nhận 1, trùng 0, bị từ chối 0, chờ gửi 0, gửi lại 0\$"
expect_eq "1.250,5 is read as 1250.5" "$(tally cay xa-a actual)" 1250.5
expect_eq "and dd/mm/yyyy hh:mm as that local time" \
	"$(tally cay xa-a last_report)" "$(date -u -d "$(TZ=Asia/Ho_Chi_Minh date -d '2 days ago' +%Y-%m-%d) 08:30 +0700" +%Y-%m-%dT%H:%M:%S.000Z)"
out=$(TIENDO_LANG=vi "$B/tiendo-push" -q --client k --unit xa-a --task cay --add 12.5 2>&1); rc=$?
expect_eq "12.5 is not a Vietnamese number" "$rc" 64
expect_match "and says how to write one" "$out" "1.750,5"
out=$(TIENDO_LANG=vi "$B/tiendo-push" -q --client k --unit xa-a --task cay --add 1 --at 30/02/2021 2>&1); rc=$?
expect_eq "a dd/mm/yyyy that is no day is refused as bad data" "$rc" 65
expect_match "quoting what was typed, and why" "$out" '--at "30/02/2021": no such day in that month; nothing queued'
out=$("$B/tiendo-push" -q --client k --unit xa-a --task cay --add 1 --at 20/03/2021 2>&1); rc=$?
expect_eq "in English 20/03/2021 is not read" "$rc" 65

out=$(TIENDO_LANG=vi "$B/tiendo-push" --client k --status)
expect_match "tiendo-push --status in vi: the delivered report, dd/mm/yyyy" "$out" \
	"^[0-9]+ xa-a cay \+1\.250,5 @$OBS 08:30:00 \+07:00: đã nhận lúc $DMY\$"
expect_match "and its counts" "$out" "^chờ gửi 0, bị từ chối 0, đã gửi 1\$"
out=$(TIENDO_LANG=vi "$B/tiendo-push" --lang en --client k --status)
expect_match "tiendo-push --lang en wins over TIENDO_LANG=vi" "$out" \
	"^[0-9]+ xa-a cay \+1250\.5 @[0-9]{4}-[0-9]{2}-[0-9]{2} 08:30:00 \+07:00: accepted "
expect_match "English counts" "$out" "^0 pending, 0 rejected, 1 delivered\$"
out=$("$B/tiendo-push" --lang vi --client k --unit xa-b --task cay --set 1,5 --at "$OBS" --no-send)
expect_match "tiendo-push --lang vi --no-send: queued, =1,5" "$out" "^[0-9]+ xa-b cay =1,5 @$OBS 00:00:00 \+07:00: đã lưu, chờ gửi\$"
expect_match "and the count" "$out" "^đã lưu 1, chờ gửi 1\$"
out=$("$B/tiendo-push" --lang vi -q --client k)
expect_match "tiendo-push sends it, said in vi" "$out" "^đã nhận 1, trùng 0, bị từ chối 0, chờ gửi 0, gửi lại 0\$"
out=$(TIENDO_LANG=fr "$B/tiendo-push" --client k --status 2>&1); rc=$?
expect_eq "TIENDO_LANG=fr is a usage error" "$rc" 64
expect_match "which names it" "$out" 'TIENDO_LANG="fr": neither vi nor en'

out=$("$CTL" status --lang vi --task cay)
expect_match "Vietnamese headings" "$out" "Đơn vị +Thực hiện +Chỉ tiêu +% +Kế hoạch % +Chậm \(điểm %\) +Số báo cáo +Tình trạng"
expect_match "numbers as 1.250,5 and 1.000" "$out" "Xã Hoàng Đan +1\.250,5 +1\.000 +125,[0-9]"
expect_match "the time as dd/mm/yyyy with its offset, the plan's zone named" "$out" "\(múi giờ Asia/Ho_Chi_Minh\) — tính đến [0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \+07:00\$"
expect_match "status words in Vietnamese" "$out" "hoàn thành"
out=$(TIENDO_LANG=vi "$CTL" status --task cay --at "$(date -d '5 days ago' +%d/%m/%Y)")
expect_match "--at reads dd/mm/yyyy" "$out" "tính đến $(date -d '5 days ago' +%d/%m/%Y) 00:00:00 \+07:00"
out=$("$CTL" --lang vi status --task cay --at 03/20/2021 2>&1); rc=$?
expect_eq "status --at 03/20/2021 in vi is a usage error" "$rc" 64
expect_match "that says the month comes second" "$out" 'status: --at "03/20/2021": no such month'

# Neither --lang nor TIENDO_LANG: tiendo-ctl speaks the daemon's language
# (its Content-Language; this daemon's is the default, vi).
expect_eq "the daemon says its language on every answer" \
	"$(curl -s -o /dev/null -D - "$HTTP/v1/nothing" | tr -d '\r' | sed -n 's/^Content-Language: //p')" vi
out=$(env -u TIENDO_LANG "$CTL" status --task cay)
expect_match "status without a language of its own speaks the daemon's" "$out" "Đơn vị +Thực hiện +Chỉ tiêu"
out=$(TIENDO_LANG= "$CTL" alerts)
expect_match "alerts too (an empty TIENDO_LANG is none)" "$out" "Số hiệu +Thời điểm +Mức độ"
expect_match "reports too" "$(env -u TIENDO_LANG "$CTL" reports --task cay --unit xa-a)" "^Số hiệu +Thời điểm +Loại"
expect_match "and --lang en still wins" "$(env -u TIENDO_LANG "$CTL" reports --lang en --task cay --unit xa-a)" "^ID +OBSERVED"

out=$("$CTL" status --task cay)
expect_match "English stays as it was" "$out" "Unit +Actual +Target"
expect_match "English numbers stay plain" "$out" "Xã Hoàng Đan +1250.5 +1000"
expect_eq "an unknown language is a usage error" "$("$CTL" status --lang fr >/dev/null 2>&1; echo $?)" 64

# --- tiendo-ctl alerts -------------------------------------------------------
wait_for 20 sh -c "\"$CTL\" alerts --json --unit xa-b --task cay | jq -e '.alerts | length == 1'" ||
	flunk "xa-b's lag alert on cay"
out=$("$CTL" --lang vi alerts --task cay)
expect_match "alerts in vi: Vietnamese headings" "$out" "^Số hiệu +Thời điểm +Mức độ +Diễn biến +Đơn vị +Nhiệm vụ +Nội dung\$"
expect_match "a row: dd/mm/yyyy, severity and transition in Vietnamese" "$out" \
	"^ +[0-9]+  $DMY  (nghiêm trọng|cảnh báo) +phát sinh +xa-b +cay +Thị trấn Hợp Hòa"
expect_match "the count in Vietnamese" "$out" "^[0-9]+ cảnh báo đang mở khớp bộ lọc\$"
out=$(TIENDO_LANG=vi "$CTL" alerts --history --task cay --unit xa-a)
expect_match "alerts --history in vi (TIENDO_LANG): the done notice" "$out" \
	"^ +[0-9]+  $DMY  thông tin +thông báo +xa-a +cay +Xã Hoàng Đan đã hoàn thành .*1\.250,5/1\.000 cây"
out=$("$CTL" --lang vi alerts --task dat --unit xa-b)
expect_eq "no active alert, said in vi" "$out" "không có cảnh báo nào đang mở
0 cảnh báo đang mở khớp bộ lọc"
out=$("$CTL" alerts --task cay)
expect_match "alerts in English: the lines as they were" "$out" "^ +[0-9]+  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \+07:00  (critical|warning) +firing +xa-b +cay "
ok "and no Vietnamese heading" sh -c "! printf '%s' \"\$1\" | grep -q 'Số hiệu'" _ "$out"
expect_eq "alerts --json in vi is the daemon's" \
	"$("$CTL" --lang vi alerts --json --task cay --unit xa-b | jq -r '.alerts[0].transition')" firing
expect_eq "alerts --lang xx is a usage error" "$("$CTL" alerts --lang xx >/dev/null 2>&1; echo $?)" 64

# --- tiendo-ctl reports ------------------------------------------------------
out=$("$CTL" reports --lang vi --task cay --unit xa-a)
expect_match "reports in vi: Vietnamese headings" "$out" "^Số hiệu +Thời điểm +Loại +Số liệu +Nơi gửi +Người báo cáo +Ghi chú\$"
expect_match "a row: dd/mm/yyyy, cộng thêm, 1.250,5" "$out" \
	"^ +[0-9]+  $OBS 08:30:00 \+07:00  cộng thêm +1\.250,5  k #[0-9]+ +Nguyễn Văn An +trồng ở đồi\$"
out=$("$CTL" reports --lang vi --task cay --unit xa-b)
expect_match "a total is lũy kế, 1,5" "$out" "  lũy kế +1,5  "
out=$("$CTL" reports --task cay --unit xa-a)
expect_match "reports in English as they were" "$out" "^ID +OBSERVED +KIND +VALUE +FROM +REPORTER +NOTE\$"
expect_match "1250.5 and ISO dates" "$out" "  [0-9]{4}-[0-9]{2}-[0-9]{2} 08:30:00 \+07:00  add +1250\.5  "
out=$(TIENDO_LANG=vi "$CTL" reports --lang en --task cay --unit xa-a)
expect_match "reports --lang en wins over TIENDO_LANG=vi" "$out" "^ID +OBSERVED"
out=$("$CTL" --lang vi reports --lang en --task cay --unit xa-a)
expect_match "the command's --lang wins over tiendo-ctl's" "$out" "^ID +OBSERVED"
expect_eq "reports --json in vi keeps 1250.5" \
	"$(TIENDO_LANG=vi "$CTL" reports --json --task cay --unit xa-a | jq -r '.reports[0].value')" 1250.5

# --- tiendo-ctl silence ------------------------------------------------------
UNTIL=$(date -d '3 days' +%d/%m/%Y)
out=$("$CTL" --lang vi silence add --unit xa-b --until "$UNTIL" --reason "họp HĐND" --by "Phó Chủ tịch")
expect_match "silence add in vi: made" "$out" "^đã tạm dừng cảnh báo, số hiệu 1\$"
expect_match "with Vietnamese headings" "$out" "^Số hiệu +Nhiệm vụ +Đơn vị +Tạm dừng đến +Người tạo +Thời điểm tạo +Kết thúc +Lý do\$"
expect_match "--until $UNTIL read as a day, to its end" "$out" \
	"^ +1  \* +xa-b +$(date -d '4 days' +%d/%m/%Y) 00:00:00 \+07:00  Phó Chủ tịch  $DMY +họp HĐND\$"
expect_eq "the daemon was sent that day" \
	"$("$CTL" silence list --json | jq -r '.silences[0].until')" "$(date -u -d "$(date -d '4 days' +%Y-%m-%d) 00:00 +0700" +%Y-%m-%dT%H:%M:%S.000Z)"
out=$(TIENDO_LANG=vi "$CTL" silence list)
expect_match "silence list in vi (TIENDO_LANG)" "$out" "^ +1  \* +xa-b +$DMY  Phó Chủ tịch"
out=$("$CTL" silence list)
expect_match "silence list in English as it was" "$out" "^   1  \* +xa-b +until [0-9]{4}-[0-9]{2}-[0-9]{2} "
out=$("$CTL" silence add --lang vi --unit xa-b --until 31/02/2030 --reason x 2>&1); rc=$?
expect_eq "silence --until 31/02/2030 in vi is a usage error" "$rc" 64
expect_match "quoting it, and why" "$out" 'silence: --until "31/02/2030": no such day in that month'
expect_eq "silence expire in vi" "$("$CTL" --lang vi silence expire 1 --by "Phó Chủ tịch")" "đã kết thúc đợt tạm dừng cảnh báo số 1"
expect_eq "no running silence, said in vi" "$("$CTL" --lang vi silence list)" "không có đợt tạm dừng cảnh báo nào đang chạy"
expect_match "silence list --all in vi: who ended it, when" "$("$CTL" --lang vi silence list --all)" \
	"  Phó Chủ tịch lúc $DMY  họp HĐND\$"

# a group closes a second after its first event (before the reload below,
# which drops the open ones)
ok "tiendo-sub --grouped in vi: dd/mm/yyyy and Vietnamese words" \
	wait_for 10 grep -Eq "^$DMY  (thông tin|nghiêm trọng) +(phát sinh|thông báo|đã khắc phục) +[a-z]+ +cay +huyen +[0-9]+  " "$T/grouped.vi"

# --- tiendo-ctl check, reload, backup: the language before the command ------
expect_match "check in vi" "$("$CTL" --lang vi check "$PLAN")" "^$PLAN: hợp lệ, 4 đơn vị, 2 nhiệm vụ, 3 chỉ tiêu\$"
expect_match "check in English" "$("$CTL" check "$PLAN")" "^$PLAN: ok, 4 units, 2 tasks, 3 targets\$"
expect_match "reload in vi (TIENDO_LANG)" "$(TIENDO_LANG=vi "$CTL" reload)" \
	"^đã nạp lại: kế hoạch $PLAN có hiệu lực, 4 đơn vị, 2 nhiệm vụ, 3 chỉ tiêu\$"
if [ -z "${TIENDO_STORE:-}" ]; then
	expect_match "backup in vi" "$("$CTL" --lang vi backup --state-dir "$STATE" "$T/b.db")" \
		"^$T/b.db: đã sao 2 báo cáo từ $STATE/tiendo.db\$"
else
	skip "backup in vi" "the store is not SQLite"
fi
expect_eq "check with TIENDO_LANG=fr is a usage error" "$(TIENDO_LANG=fr "$CTL" check "$PLAN" >/dev/null 2>&1; echo $?)" 64

# --- tiendo-sub ----------------------------------------------------------------
TIENDO_LANG=vi "$B/tiendo-sub" >"$T/sub.vi" 2>"$T/sub.vi.err" &
PIDS="$PIDS $!"
TIENDO_LANG=vi "$B/tiendo-sub" --lang en >"$T/sub.en" 2>"$T/sub.en.err" &
PIDS="$PIDS $!"
ok "tiendo-sub in vi (TIENDO_LANG): the active alerts, in Vietnamese" \
	wait_for 10 grep -Eq "^$DMY (nghiêm trọng|cảnh báo    ) đang mở      xa-a +dat +0/12,5 ha  " "$T/sub.vi"
ok "tiendo-sub --lang en wins: English as it was" \
	wait_for 10 grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \+07:00 (CRITICAL|WARNING) +active +xa-a +dat +0/12.5 ha  " "$T/sub.en"
expect_eq "tiendo-sub --lang fr is a usage error" "$("$B/tiendo-sub" --lang fr >/dev/null 2>&1; echo $?)" 64

finish
