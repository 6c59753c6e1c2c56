# 90-accounts.sh: who signs in to the demo's dashboard, one account per role the demo shows, all
# with the password in $DEMO_PASSWORD ("demo-2020"): the national admin, Thái Nguyên's provincial
# office, Bắc Kạn city's office, Nguyễn Thị Minh Khai ward's secretary, Lạng Sơn city's office,
# a viewer of Lạng Sơn city and Đông Kinh ward's organisation board. The Unix user who builds the
# demo acts as admin. Sourced by demo/build.sh.
DEMO_PASSWORD=${DEMO_PASSWORD:-demo-2020}
PWFILE=$(mktemp)
printf '%s\n' "$DEMO_PASSWORD" > "$PWFILE"
account() { # LOGIN NAME ROLE [ORG]
  cv account add "$1" "$2" --password-file "$PWFILE"
  if [ -n "${4:-}" ]; then cv grant add "$1" "$3" --org "$4"; else cv grant add "$1" "$3"; fi
}
account admin "Quản trị hệ thống" admin
# Whoever built the demo keeps using the CLI on it as admin, as before there were accounts.
CONVENE_ACCOUNT=admin cv account set admin --unix-user "$(id -un)"
account vp.thainguyen "Văn phòng Tỉnh ủy Thái Nguyên" office TN
account vp.backan "Văn phòng Thành ủy Bắc Kạn" office BK-TP
account bithu.ntmk "Bí thư Đảng ủy phường Nguyễn Thị Minh Khai" secretary BK-TP-NTMK
account vp.langson "Văn phòng Thành ủy Lạng Sơn" office LS-TP
account xem.langson "Thường trực Thành ủy Lạng Sơn (xem)" viewer LS-TP
# The organisation board of Đông Kinh ward: enters its election's attendance and tallies.
account bch.dongkinh "Ban tổ chức đại hội phường Đông Kinh" organisation LS-TP-DK
rm -f "$PWFILE"
