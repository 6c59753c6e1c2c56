# 40-notify.sh: notifications. The notify-log plugin (channel "log") writes each delivered
# notification as one JSON line to a file next to the demo store, so `convene run` on the demo
# shows deliveries; three reminders in Vietnamese wait in the outbox. Sourced by demo/build.sh.
NOTIFY_LOG="$(cd "$(dirname "$STORE")" && pwd)/$(basename "$STORE" .db)-notifications.jsonl"
rm -f "$NOTIFY_LOG"
cv plugin config notify-log file "$NOTIFY_LOG"
cv plugin enable notify-log

cv notify "Văn phòng Tỉnh ủy Thái Nguyên" --channel log --template congress \
  --org "Đảng bộ tỉnh Thái Nguyên" --date 2020-10-11 --key demo.congress:TN:XX
cv notify "Ban Tuyên giáo Thành ủy Lạng Sơn" --channel log --template reminder \
  --title "Tuyên truyền kết quả đại hội các tổ chức cơ sở đảng" --org "Đảng bộ thành phố Lạng Sơn" \
  --due 2020-05-30 --key demo.reminder:LS-TP:propaganda
cv notify "Văn phòng Thành ủy Bắc Kạn" --channel log --template overdue \
  --title "Tổng hợp danh sách nhân sự cấp ủy" --org "Đảng bộ thành phố Bắc Kạn" \
  --due 2020-05-15 --key demo.overdue:BK-TP:personnel
