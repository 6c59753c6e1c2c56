# 60-reminders.sh: the scheduler's part of the demo: the 2020 holiday calendar, contacts for the
# units that carry Thái Nguyên's work items and for the three demo organisations, two custom jobs
# (a weekly briefing and a reminder anchored 14 days before congress XX opens), and the built-in
# reminders run once as of the demo clock (22 May 2020), so the outbox shows what goes out.

while IFS=$'\t' read -r day name; do
  cv holiday add "$day" "$name"
done <<'TSV'
2020-01-01	Tết Dương lịch
2020-01-23	Tết Nguyên đán
2020-01-24	Tết Nguyên đán
2020-01-27	Tết Nguyên đán
2020-01-28	Tết Nguyên đán
2020-01-29	Tết Nguyên đán
2020-04-02	Giỗ Tổ Hùng Vương
2020-04-30	Ngày Giải phóng miền Nam
2020-05-01	Ngày Quốc tế Lao động
2020-09-02	Quốc khánh
2021-01-01	Tết Dương lịch
TSV

while IFS=$'\t' read -r name channel address; do
  cv contact add "$name" "--$channel" "$address"
done <<'TSV'
Văn phòng Tỉnh ủy	email	vanphong@tu.thainguyen.example.vn
Ban Tuyên giáo Tỉnh ủy	email	tuyengiao@tu.thainguyen.example.vn
Ban Tổ chức Tỉnh ủy	email	tochuc@tu.thainguyen.example.vn
Bộ phận Hậu cần phục vụ	email	haucan@tu.thainguyen.example.vn
TN	webhook	http://127.0.0.1:8088/hooks/tn
BK-TP	email	vanphong@tp.backan.example.vn
LS-TP	email	vanphong@tp.langson.example.vn
LS-TP	webhook	http://127.0.0.1:8088/hooks/ls-tp
TSV

cv jobs set tn.giao-ban --cron "0 8 * * mon" --action notify --to "Văn phòng Tỉnh ủy" \
  --subject "Giao ban tiến độ chuẩn bị Đại hội XX" \
  --body "Đề nghị các tiểu ban báo cáo tiến độ công việc chuẩn bị Đại hội trong tuần."
cv jobs set tn.van-kien-14-ngay --anchor congress:TN --days -14 --time 08:00 --action notify \
  --to "Ban Tuyên giáo Tỉnh ủy" --subject "Còn 14 ngày: hoàn thiện dự thảo văn kiện Đại hội XX"

# The built-in reminders as of the demo clock: due within 3 days, overdue in the last month,
# congresses a week away with open work, openings to announce 30 working days ahead.
for job in work.due_soon work.overdue congress.soon congress.announce; do
  cv jobs run-now "builtin.$job"
done
