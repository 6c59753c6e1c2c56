# 80-scripts.sh: each unit's Lua package (scripts/provinces/), bound to its subtree, so that
# `convene run` runs their procedures: Thái Nguyên's propaganda phases, Bắc Kạn city's phases and
# pilot gate with its Monday reminder, Lạng Sơn city's direct election of Đông Kinh ward's
# secretary. Sourced by demo/build.sh.
SCRIPTS=$(cd "$DEMO/../scripts/provinces" && pwd)
cv script add "$SCRIPTS/TN" --org TN
cv script add "$SCRIPTS/BK-TP" --org BK-TP
cv script add "$SCRIPTS/LS-TP" --org LS-TP
