# 10-tree.sh: the organisation tree, congresses and work items of the three demo units, with the
# figures of DOMAIN.md, as they stood on 22 May 2020 (the demo clock). Sourced by demo/build.sh.

# Commands below run "as of" the dates they describe; the store's clock is set at the end.
cv clock set 2020-05-22T09:00

cv org add VN "Trung ương" --level national
cv congress plan VN XIII --kind delegates --start 2021-01-25 --end 2021-02-01

# Thái Nguyên province: congress XX on 11-13 October 2020, its districts and blocks.
cv org add TN "Đảng bộ tỉnh Thái Nguyên" --level province --parent VN --members 70000
cv congress plan TN XX --start 2020-10-11 --end 2020-10-13 --summoned 350
cv congress prepare TN
while IFS=$'\t' read -r code name kind members ordinal start; do
  [ "${code:0:1}" = "#" ] && continue
  cv org add "TN-$code" "$name" --level district --parent TN --kind "$kind" --members "$members"
  cv congress plan "TN-$code" "$ordinal" --start "$start"
done <<'TSV'
TP	Đảng bộ thành phố Thái Nguyên	city	14500	XXIII	2020-07-28
SC	Đảng bộ thành phố Sông Công	city	3600	XI	2020-07-15
PY	Đảng bộ thị xã Phổ Yên	town	6800	XXIV	2020-07-21
DT	Đảng bộ huyện Đại Từ	district	9200	XXIV	2020-07-23
DH	Đảng bộ huyện Định Hóa	district	5900	XXIV	2020-07-08
PL	Đảng bộ huyện Phú Lương	district	5400	XXIV	2020-07-16
DHy	Đảng bộ huyện Đồng Hỷ	district	5100	XXIV	2020-07-30
VN	Đảng bộ huyện Võ Nhai	district	3700	XXIV	2020-07-14
PB	Đảng bộ huyện Phú Bình	district	6300	XXIV	2020-07-29
KCQ	Đảng bộ Khối các cơ quan tỉnh	block	5200	XIII	2020-06-25
KDN	Đảng bộ Khối doanh nghiệp tỉnh	block	4300	XII	2020-06-18
TSV
for sc in "VK|Tiểu ban Văn kiện" "NS|Tiểu ban Nhân sự" "TT|Tiểu ban Tuyên truyền" \
          "PV|Tiểu ban Tổ chức phục vụ"; do
  cv subcommittee add TN "${sc%%|*}" "${sc#*|}"
done
id=0
while IFS=$'\t' read -r group sub title unit person due budget done_on; do
  [ "${group:0:1}" = "#" ] && continue
  id=$((id + 1))
  cv work add TN "$title" --group "$group" --subcommittee "$sub" --unit "$unit" \
    --person "$person" --due "$due" --budget "$budget"
  [ -z "$done_on" ] || cv work done "$id" --on "$done_on"
done < "$DEMO/data/tn-work-items.tsv"

# Bắc Kạn city (province BK): congress VII in August 2020; 47 grassroots organisations with about
# 4,200 members; 176 of its 180 cells had held their congress by the end of March 2020; the pilot
# congress of Nguyễn Thị Minh Khai ward (VIII) was held first and reviewed on 16 March 2020.
cv org add BK "Đảng bộ tỉnh Bắc Kạn" --level province --parent VN --members 31000
cv congress plan BK XII --start 2020-10-14 --end 2020-10-16
cv org add BK-TP "Đảng bộ thành phố Bắc Kạn" --level district --parent BK --kind city --members 4200
cv congress plan BK-TP VII --start 2020-08-05 --end 2020-08-07
cv congress prepare BK-TP

# One ward (late_ward below) still had four cells behind: three held in April, one not yet held.
late_ward=DX
while IFS=$'\t' read -r code name kind members ordinal status on pilot cells; do
  [ "${code:0:1}" = "#" ] && continue
  org="BK-TP-$code"
  cv org add "$org" "$name" --level grassroots --parent BK-TP --kind "$kind" --members "$members"
  cv congress plan "$org" "$ordinal" --start "$on" --pilot "$pilot"
  for j in $(seq 1 "$cells"); do
    cv org add "$org-C$j" "Chi bộ $j, ${name#Đảng bộ }" --level cell --parent "$org" \
      --members $((members / cells))
    cv congress plan "$org-C$j" I
    if [ "$code" = "$late_ward" ] && [ "$j" -gt $((cells - 4)) ]; then
      [ "$j" -lt "$cells" ] && cv congress held "$org-C$j" --on "2020-04-0$((j % 9 + 1))"
    elif [ "$pilot" = yes ]; then
      cv congress held "$org-C$j" --on "2020-02-$(printf %02d $((j % 28 + 1)))"
    else
      cv congress held "$org-C$j" --on "2020-0$((j % 3 + 1))-$(printf %02d $((j % 28 + 1)))"
    fi
  done
  case "$status" in
    held) cv congress held "$org" --on "$on" ;;
    preparing) cv congress prepare "$org" ;;
  esac
done < "$DEMO/data/bk-tp-orgs.tsv"
cv work add BK-TP "Hội nghị sơ kết Đại hội điểm phường Nguyễn Thị Minh Khai" \
  --group "Chỉ đạo đại hội cấp cơ sở" --unit "Ban Tổ chức Thành ủy" --due 2020-03-16 --budget 5000000
id=$((id + 1)) && cv work done "$id" --on 2020-03-16
cv work add BK-TP "Tổng hợp ý kiến góp ý dự thảo văn kiện của các tổ chức cơ sở đảng" \
  --group "Văn kiện" --unit "Văn phòng Thành ủy" --due 2020-06-15
cv work add BK-TP "Hoàn thành đại hội các chi bộ trực thuộc đảng ủy cơ sở" \
  --group "Chỉ đạo đại hội cấp cơ sở" --unit "Ban Tổ chức Thành ủy" --due 2020-03-31

# Lạng Sơn city (province LS): 72 directly subordinate organisations, 42 held by 22 May 2020;
# pilots: Vĩnh Trại ward and an enterprise cell; directly electing the secretary: Đông Kinh ward.
cv org add LS "Đảng bộ tỉnh Lạng Sơn" --level province --parent VN --members 52000
cv congress plan LS XVII --start 2020-10-13 --end 2020-10-15
cv org add LS-TP "Đảng bộ thành phố Lạng Sơn" --level district --parent LS --kind city --members 8900
cv congress plan LS-TP XVI --start 2020-07-20 --end 2020-07-22
cv congress prepare LS-TP
while IFS=$'\t' read -r code name kind members ordinal status on pilot; do
  [ "${code:0:1}" = "#" ] && continue
  org="LS-TP-$code"
  cv org add "$org" "$name" --level grassroots --parent LS-TP --kind "$kind" --members "$members"
  cv congress plan "$org" "$ordinal" --start "$on" --pilot "$pilot"
  case "$status" in
    held) cv congress held "$org" --on "$on" ;;
    preparing) cv congress prepare "$org" ;;
  esac
done < "$DEMO/data/ls-tp-orgs.tsv"
cv congress set LS-TP-DK --direct-secretary yes
cv work add LS-TP "Báo cáo tiến độ đại hội cơ sở gửi Tổ công tác của Tỉnh ủy" \
  --group "Chỉ đạo đại hội cấp cơ sở" --unit "Văn phòng Thành ủy" --due 2020-05-20
cv work add LS-TP "Giải quyết dứt điểm đơn thư liên quan đến nhân sự" \
  --group "Nhân sự" --unit "Ủy ban Kiểm tra Thành ủy" --due 2020-06-30
cv work add LS-TP "Đề án nhân sự Ban Chấp hành nhiệm kỳ 2020-2025" \
  --group "Nhân sự" --unit "Ban Tổ chức Thành ủy" --due 2020-06-10
