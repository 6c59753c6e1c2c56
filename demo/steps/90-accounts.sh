# 90-accounts.sh: who may act on the demo store (issue 10): Thái Nguyên's province office, Bắc Kạn
# city's office, the secretary of Nguyễn Thị Minh Khai ward, a viewer of Thái Nguyên, and an
# administrator mapped to the Unix user who built the store (so that user's commands act as it).
# Every demo account's password is the one in demo/data/demo-password: a demo, not a secret.
# The last step: once an admin exists, the store owner's bootstrap rights end.
PW="$DEMO/data/demo-password"
cv account add vp-tn "Văn phòng Tỉnh ủy Thái Nguyên" --password-file "$PW"
cv grant add vp-tn office --org TN
cv account add vp-bktp "Văn phòng Thành ủy Bắc Kạn" --password-file "$PW"
cv grant add vp-bktp office --org BK-TP
cv account add bt-ntmk "Bí thư Đảng ủy phường Nguyễn Thị Minh Khai" --password-file "$PW"
cv grant add bt-ntmk secretary --org BK-TP-NTMK
cv account add xem-tn "Người xem, Thái Nguyên" --password-file "$PW"
cv grant add xem-tn viewer --org TN
cv account add quantri "Quản trị hệ thống" --password-file "$PW"
cv grant add quantri admin
cv --as quantri account set quantri --unix-user "$(id -un)"
