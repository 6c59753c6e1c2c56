# 30-plugins.sh: plugins. Enables the CSV importer and the five reporters, then imports the work
# items of Bắc Kạn city's congress VII from a spreadsheet export (UTF-8 with BOM, CRLF) through
# import-csv, so `convene report work-items BK-TP` and `convene report readiness BK-TP` have data.
# Sourced by demo/build.sh.
for plugin in import-csv report-text report-csv report-json report-html report-xlsx; do
  cv plugin enable "$plugin"
done
cv subcommittee add BK-TP VK "Tiểu ban Văn kiện"
cv subcommittee add BK-TP NS "Tiểu ban Nhân sự"
cv subcommittee add BK-TP TT "Tiểu ban Tuyên truyền"
cv import "$DEMO/data/bk-tp-work-items.csv" --as work-items
