# 20-docs.sh: documents, comment rounds, plans, scenarios, meetings and inspections of the three
# demo units (core/docs), as of 22 May 2020. Sourced by demo/build.sh after 10-tree.sh.
# Things that happened before 22 May are recorded "as of" their day (--now); meetings after it
# are scheduled with their agendas. Dates the reports do not give (the local plans' issue dates,
# the 66th and 24th meetings' days, the 67th meeting's seven items) are illustrative.

# cv_id ARGS...: runs convene with --json and prints the "id" of what it made or showed.
cv_id() { "$BIN" --db "$STORE" --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
# tn_item TEXT: the id of Thái Nguyên's work item whose title contains TEXT.
tn_item() {
  "$BIN" --db "$STORE" --json work list --org TN |
    python3 -c 'import json,sys; print(next(w["id"] for w in json.load(sys.stdin) if sys.argv[1] in w["title"]))' "$1"
}
DRAFTS=$(mktemp -d)
draft() { printf '%s\n\n%s\n' "$1" "$2" > "$DRAFTS/$3"; echo "$DRAFTS/$3"; }

# --- Thái Nguyên: legal references, plans of the subcommittee and its three departments -------
cv plan add 35-CT/TW --issued 2019-05-30 --issuer "Bộ Chính trị" --kind directive \
  --title "Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIII"
cv plan add 205-QĐ/TW --issued 2019-09-23 --issuer "Bộ Chính trị" --kind regulation \
  --title "Quy định về việc kiểm soát quyền lực trong công tác cán bộ và chống chạy chức, chạy quyền"
cv plan add 76-KH/TU --issued 2020-03-10 --issuer "Tỉnh ủy Thái Nguyên" --org TN --subcommittee PV \
  --title "Kế hoạch tổ chức phục vụ Đại hội đại biểu Đảng bộ tỉnh lần thứ XX"
cv plan add 03-KH/TB-BPTT --issued 2020-04-08 --issuer "Bộ phận Tuyên truyền" --org TN \
  --subcommittee PV --department "Bộ phận Tuyên truyền" --title "Kế hoạch tuyên truyền Đại hội"
cv plan add 02-KH/TB --issued 2020-04-18 --issuer "Bộ phận Hậu cần phục vụ" --org TN \
  --subcommittee PV --department "Bộ phận Hậu cần phục vụ" --title "Kế hoạch hậu cần phục vụ Đại hội"
cv plan add 39/KH-BPĐBANTT --issued 2020-04-28 --issuer "Bộ phận An ninh trật tự và an toàn" \
  --org TN --subcommittee PV --department "Bộ phận An ninh trật tự và an toàn" \
  --title "Kế hoạch bảo đảm an ninh trật tự, an toàn Đại hội"
cv plan add 01-TB/BPHC --issued 2020-05-04 --issuer "Bộ phận Hậu cần phục vụ" --kind notice \
  --org TN --department "Bộ phận Hậu cần phục vụ" --title "Thông báo phân bổ kinh phí cho các bộ phận"
for ref in 76-KH/TU 03-KH/TB-BPTT 02-KH/TB 39/KH-BPĐBANTT 01-TB/BPHC; do
  cv plan cite "$ref" --work "$(tn_item "($ref)")"
done

# --- Thái Nguyên: two scenarios. "Không có dịch" holds on 22 May 2020; the items of the plan for
# a widely spreading epidemic are out of force until `convene scenario use TN covid`.
cv scenario add TN covid "Dịch COVID-19 lây lan rộng"
cv scenario add TN normal "Không có dịch"
cv plan add 05-PA/TU --issued 2020-05-12 --issuer "Tỉnh ủy Thái Nguyên" --kind plan --org TN \
  --subcommittee PV --scenario covid \
  --title "Phương án tổ chức Đại hội trong điều kiện dịch COVID-19 lây lan rộng"
for title in "Tổ chức Đại hội trực tuyến tới các điểm cầu cấp huyện" \
             "Giảm khách mời, bố trí giãn cách chỗ ngồi trong hội trường" \
             "Xét nghiệm, cách ly y tế toàn bộ đại biểu trước ngày khai mạc"; do
  id=$(cv_id work add TN "$title" --group "7. Y tế, phòng chống dịch COVID-19" --subcommittee PV \
       --unit "Sở Y tế" --person "Giám đốc Sở Y tế" --due 2020-10-05)
  cv plan cite 05-PA/TU --work "$id"
done
cv scenario use TN normal

# --- Thái Nguyên: the documents. The political report went to the subordinate organisations,
# predecessors and boards, then to the Politburo, whose comments were taken in.
pr=$(cv_id doc add TN "Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh khóa XIX trình Đại hội XX" \
     --kind political_report)
rr=$(cv_id doc add TN "Báo cáo kiểm điểm của Ban Chấp hành Đảng bộ tỉnh khóa XIX" --kind review_report)
rs=$(cv_id doc add TN "Dự thảo Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XX" --kind resolution)
ap=$(cv_id doc add TN "Chương trình hành động thực hiện Nghị quyết Đại hội XX" --kind action_programme)
cv --now 2020-03-20T10:00 doc version "$pr" --by "Tiểu ban Văn kiện" --note "dự thảo lần 1" \
  "$(draft "BÁO CÁO CHÍNH TRỊ (dự thảo 1)" "Đảng bộ tỉnh Thái Nguyên, nhiệm kỳ 2020-2025." tn-bcct-1.txt)"
cv --now 2020-03-20T10:00 doc version "$rr" --by "Tiểu ban Văn kiện" \
  "$(draft "BÁO CÁO KIỂM ĐIỂM (dự thảo 1)" "Ban Chấp hành Đảng bộ tỉnh khóa XIX." tn-bckd-1.txt)"
r1=$(cv_id --now 2020-03-25T09:00 round open "$pr" --deadline 2020-04-15 --children TN \
     --predecessors "Nguyên Bí thư Tỉnh ủy các thời kỳ;Nguyên Chủ tịch UBND tỉnh các thời kỳ" \
     --boards "Ban Tuyên giáo Tỉnh ủy;Ban Tổ chức Tỉnh ủy;Ủy ban Kiểm tra Tỉnh ủy")
for code in TP SC PY DT DH PL DHy VN PB KCQ; do
  cv --now 2020-04-14T16:00 round respond "$r1" "TN-$code" --summary "Nhất trí, đề nghị bổ sung số liệu của địa phương"
done
cv --now 2020-04-18T09:00 round respond "$r1" TN-KDN --summary "Góp ý về phát triển doanh nghiệp"
cv --now 2020-04-13T09:00 round respond "$r1" "Ban Tuyên giáo Tỉnh ủy" --summary "Góp ý phần phương hướng"
cv --now 2020-04-20T09:00 round close "$r1" \
  --taken-in "Tiếp thu 12 ý kiến của 11 đảng bộ trực thuộc và các ban; giải trình 3 ý kiến chưa tiếp thu"
cv --now 2020-04-20T09:00 doc status "$pr" revising
cv --now 2020-04-22T09:00 doc version "$pr" --by "Tiểu ban Văn kiện" --note "tiếp thu ý kiến các đảng bộ trực thuộc" \
  "$(draft "BÁO CÁO CHÍNH TRỊ (dự thảo 2)" "Đã tiếp thu ý kiến các đảng bộ trực thuộc." tn-bcct-2.txt)"
r2=$(cv_id --now 2020-04-25T09:00 round open "$pr" --deadline 2020-05-20 --above "Bộ Chính trị")
cv --now 2020-05-15T15:00 round respond "$r2" "Bộ Chính trị" \
  --summary "Kết luận của Bộ Chính trị về dự thảo văn kiện Đại hội Đảng bộ tỉnh" \
  --file "$(draft "Ý KIẾN CỦA BỘ CHÍNH TRỊ" "Về dự thảo văn kiện Đại hội XX Đảng bộ tỉnh Thái Nguyên." bct-y-kien.txt)"
cv --now 2020-05-20T09:00 round close "$r2" --taken-in "Tiếp thu đầy đủ ý kiến của Bộ Chính trị vào Báo cáo chính trị và Báo cáo kiểm điểm"
cv --now 2020-05-20T09:00 doc status "$pr" revising
cv --now 2020-05-21T09:00 doc version "$pr" --by "Tiểu ban Văn kiện" --note "đã tiếp thu ý kiến của Bộ Chính trị" \
  "$(draft "BÁO CÁO CHÍNH TRỊ (dự thảo 3)" "Đã tiếp thu ý kiến của Bộ Chính trị." tn-bcct-3.txt)"
cv --now 2020-05-21T09:00 doc version "$rr" --by "Tiểu ban Văn kiện" --note "đã tiếp thu ý kiến của Bộ Chính trị" \
  "$(draft "BÁO CÁO KIỂM ĐIỂM (dự thảo 2)" "Đã tiếp thu ý kiến của Bộ Chính trị." tn-bckd-2.txt)"
cv --now 2020-05-21T09:00 doc version "$rs" --by "Tiểu ban Văn kiện" \
  "$(draft "DỰ THẢO NGHỊ QUYẾT" "Đại hội đại biểu Đảng bộ tỉnh lần thứ XX." tn-nq-1.txt)"
cv --now 2020-05-21T09:00 doc version "$ap" --by "Tiểu ban Văn kiện" \
  "$(draft "CHƯƠNG TRÌNH HÀNH ĐỘNG" "Thực hiện Nghị quyết Đại hội XX." tn-ctht-1.txt)"

# --- Thái Nguyên: the meetings the documents go to, and the final review.
cv meeting add TN standing 66 --on 2020-09-08 --title "Hội nghị Ban Thường vụ Tỉnh ủy lần thứ 66"
cv meeting agenda TN standing 66 "Cho ý kiến dự thảo văn kiện đã tiếp thu ý kiến của Bộ Chính trị" --doc "$pr"
cv meeting add TN executive 24 --on 2020-09-10 --title "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 24"
cv meeting agenda TN executive 24 "Thảo luận, thông qua dự thảo Báo cáo chính trị trình Đại hội XX" --doc "$pr"
cv meeting agenda TN executive 24 "Thông qua Báo cáo kiểm điểm của Ban Chấp hành khóa XIX" --doc "$rr"
cv meeting add TN standing 67 --on 2020-09-25 --title "Hội nghị Ban Thường vụ Tỉnh ủy lần thứ 67"
for item in "Báo cáo tiến độ chuẩn bị Đại hội XX" "Hoàn chỉnh dự thảo các văn kiện trình Đại hội" \
            "Đề án nhân sự Ban Chấp hành khóa XX" "Chương trình, lịch làm việc của Đại hội" \
            "Quy chế làm việc và quy chế bầu cử tại Đại hội" \
            "Bảo đảm an ninh trật tự, phòng, chống dịch COVID-19 tại Đại hội" \
            "Công tác tuyên truyền, khánh tiết và phục vụ Đại hội"; do
  cv meeting agenda TN standing 67 "$item"
done
cv meeting add TN executive 25 --on 2020-09-30 --title "Hội nghị Ban Chấp hành lần thứ 25: tổng duyệt Đại hội"
cv meeting agenda TN executive 25 "Tổng duyệt Đại hội đại biểu Đảng bộ tỉnh lần thứ XX"

# --- Bắc Kạn city: the political report to its 47 grassroots organisations, due before
# 15 June 2020; by 22 May 30 of them have sent comments.
bk=$(cv_id doc add BK-TP "Báo cáo chính trị Đại hội Đảng bộ thành phố lần thứ VII" --kind political_report)
cv --now 2020-05-04T09:00 doc version "$bk" --by "Tiểu ban Văn kiện Thành ủy" \
  "$(draft "BÁO CÁO CHÍNH TRỊ (dự thảo)" "Đảng bộ thành phố Bắc Kạn, nhiệm kỳ 2020-2025." bk-bcct-1.txt)"
bkr=$(cv_id --now 2020-05-05T09:00 round open "$bk" --deadline 2020-06-14 --children BK-TP)
n=0
while IFS=$'\t' read -r code _; do
  [ "${code:0:1}" = "#" ] && continue
  n=$((n + 1))
  [ "$n" -le 30 ] || break
  cv --now "2020-05-$(printf %02d $((n % 17 + 6)))T15:00" round respond "$bkr" "BK-TP-$code" \
    --summary "Nhất trí với dự thảo; góp ý phần nhiệm vụ, giải pháp"
done < "$DEMO/data/bk-tp-orgs.tsv"

# --- Lạng Sơn city: the provincial secretary's working group, 22 May 2020.
cv inspection add LS-TP --by LS --led-by "Bí thư Tỉnh ủy, Trưởng đoàn công tác" --on 2020-05-22 \
  --findings "Tư tưởng cán bộ, đảng viên ổn định; đơn thư được giải quyết kịp thời; nội dung báo cáo chính trị cơ bản đạt yêu cầu; cơ cấu nhân sự cần bảo đảm tỷ lệ nữ và cán bộ trẻ"
ins=$("$BIN" --db "$STORE" --json inspection list LS-TP | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
cv inspection request "$ins" "Bổ sung số liệu, hoàn thiện dự thảo Báo cáo chính trị" --due 2020-06-10 \
  --unit "Tiểu ban Văn kiện Thành ủy"
cv inspection request "$ins" "Rà soát cơ cấu nhân sự Ban Chấp hành bảo đảm tỷ lệ nữ, cán bộ trẻ" \
  --due 2020-06-15 --unit "Ban Tổ chức Thành ủy"
rm -rf "$DRAFTS"
