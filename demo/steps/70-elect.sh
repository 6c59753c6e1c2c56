# 70-elect.sh: personnel and elections of Đông Kinh ward (LS-TP-DK), Lạng Sơn city's pilot of
# directly electing the secretary: people, the personnel scheme, the committee election counted
# on the delegates' base (150 summoned, 1 convening-committee member and 2 delegates with no
# alternate absent: base 147, elected with 74), and complaints about personnel.
while IFS=$'\t' read -r code name born gender ethnicity incumbent titles; do
  [ "${code:0:1}" = "#" ] && continue
  cv person add "$code" "$name" --born "$born" --gender "$gender" --ethnicity "$ethnicity" \
    --org LS-TP-DK --incumbent "$incumbent" --titles "$titles"
done <<'TSV'
# code	name	born	gender	ethnicity	outgoing committee	titles
DK01	Hoàng Văn Thắng	1968-04-12	male	Tày	yes	Bí thư Đảng ủy phường
DK02	Nguyễn Thị Hạnh	1975-09-03	female	Kinh	yes	Phó Bí thư Thường trực
DK03	Lương Văn Quân	1972-01-20	male	Nùng	yes	Chủ tịch UBND phường
DK04	Trần Minh Đức	1980-06-15	male	Kinh	yes	Phó Chủ tịch UBND phường
DK05	Vi Thị Lan	1983-11-02	female	Tày	no	Chủ tịch Hội Liên hiệp Phụ nữ
DK06	Phạm Văn Long	1970-03-28	male	Kinh	yes	Chủ nhiệm Ủy ban Kiểm tra
DK07	Nông Văn Hải	1986-07-07	male	Nùng	no	Bí thư Đoàn phường
DK08	Lê Thị Thu	1979-12-19	female	Kinh	yes	Chủ tịch Ủy ban MTTQ phường
DK09	Đinh Công Sơn	1977-05-05	male	Kinh	no	Trưởng Công an phường
DK10	Hà Thị Mai	1988-02-14	female	Tày	no	Công chức Văn phòng
DK11	Chu Văn Bình	1965-10-30	male	Nùng	yes	Bí thư Chi bộ khối 3
DK12	Vũ Thị Ngọc	1990-08-08	female	Kinh	no	Công chức Tư pháp
DK13	Lăng Văn Tùng	1982-04-01	male	Tày	no	Chỉ huy trưởng Quân sự
TSV

cv scheme seats LS-TP-DK committee 11
cv scheme seats LS-TP-DK secretary 1
cv scheme seats LS-TP-DK delegates 12
cv scheme target LS-TP-DK women 25
cv scheme target LS-TP-DK minorities 40
cv scheme target LS-TP-DK under40 15
cv scheme target LS-TP-DK renewal 30

cv election create LS-TP-DK committee \
  --candidates DK01,DK02,DK03,DK04,DK05,DK06,DK07,DK08,DK09,DK10,DK11,DK12,DK13
cv election attendance 1 --summoned 150 --convening-absent 1 --unreplaced-absent 2 \
  --alternates-in 1 --attending 148
cv election open 1
cv election tally 1 --issued 148 --returned 148 --valid 146 --invalid 2 \
  DK01=141 DK02=138 DK03=135 DK04=120 DK05=117 DK06=110 DK07=96 DK08=102 DK09=88 DK10=74 \
  DK11=73 DK12=61 DK13=79

cv complaint add LS-TP-DK denunciation --about DK04 --received 2020-05-10 \
  --summary "Thư không ký tên phản ánh việc cấp đất"
cv complaint add LS-TP-DK complaint --from "Nguyễn Văn Toàn" --address "Khối 5, phường Đông Kinh" \
  --about DK09 --received 2020-05-15 --summary "Phản ánh việc kê khai tài sản"
cv complaint add LS-TP-DK complaint --from "Lê Thị Bích" --address "Khối 2, phường Đông Kinh" \
  --about DK06 --received 2020-05-04 --summary "Phản ánh việc giải quyết đơn thư năm 2018"
cv complaint settle 3 --on 2020-05-20 --conclusion "Đã xác minh, nội dung phản ánh không có cơ sở"
cv complaint add LS-TP-DK complaint --from "Trần Văn Nam" --address "Khối 7, phường Đông Kinh" \
  --about DK06 --received 2020-05-21 --refiled --summary "Gửi lại nội dung đã được trả lời"
