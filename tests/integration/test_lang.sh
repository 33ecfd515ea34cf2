#!/bin/sh
# The clients in Vietnamese (TIENDO_LANG=vi or --lang vi): tiendo-ctl status
# with Vietnamese headers, status words, 1.000 and dd/mm/yyyy with the offset;
# tiendo-push reads 1,5 and 20/03/2021-style dates.  English is unchanged.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
CTL="$B/tiendo-ctl"

TIENDO_LANG=vi "$B/tiendo-push" -q --client k --unit xa-a --task cay --add 1.250,5 \
	--at "$(TZ=Asia/Ho_Chi_Minh date -d '2 days ago' +%d/%m/%Y) 08:30" || flunk "tiendo-push in vi"
expect_eq "1.250,5 is read as 1250.5" "$(tally cay xa-a actual)" 1250.5
expect_eq "and dd/mm/yyyy hh:mm as that local time" \
	"$(tally cay xa-a last_report)" "$(date -u -d "$(TZ=Asia/Ho_Chi_Minh date -d '2 days ago' +%Y-%m-%d) 08:30 +0700" +%Y-%m-%dT%H:%M:%S.000Z)"
out=$(TIENDO_LANG=vi "$B/tiendo-push" -q --client k --unit xa-a --task cay --add 12.5 2>&1); rc=$?
expect_eq "12.5 is not a Vietnamese number" "$rc" 64
expect_match "and says how to write one" "$out" "1.750,5"

out=$(TZ=Asia/Ho_Chi_Minh "$CTL" status --lang vi --task cay)
expect_match "Vietnamese headings" "$out" "Đơn vị +Thực hiện +Chỉ tiêu +% +Kế hoạch % +Chậm \(điểm %\) +Số báo cáo +Tình trạng"
expect_match "numbers as 1.250,5 and 1.000" "$out" "Xã Hoàng Đan +1\.250,5 +1\.000 +125,[0-9]"
expect_match "the time as dd/mm/yyyy with its offset, the plan's zone named" "$out" "\(múi giờ Asia/Ho_Chi_Minh\) — tính đến [0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \+07:00\$"
expect_match "status words in Vietnamese" "$out" "hoàn thành"
out=$(TZ=Asia/Ho_Chi_Minh TIENDO_LANG=vi "$CTL" status --task cay --at "$(TZ=Asia/Ho_Chi_Minh date -d '5 days ago' +%d/%m/%Y)")
expect_match "--at reads dd/mm/yyyy" "$out" "tính đến $(TZ=Asia/Ho_Chi_Minh date -d '5 days ago' +%d/%m/%Y) 00:00:00 \+07:00"
out=$("$CTL" status --task cay)
expect_match "English stays as it was" "$out" "Unit +Actual +Target"
expect_match "English numbers stay plain" "$out" "Xã Hoàng Đan +1250.5 +1000"
expect_eq "an unknown language is a usage error" "$("$CTL" status --lang fr >/dev/null 2>&1; echo $?)" 64

finish
