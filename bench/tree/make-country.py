# make-country.py: writes the country of bench/tree as convene's import files, deterministic:
# 63 provinces, 693 district-level organisations, 52,000 grassroots organisations and 260,000
# cells (about 5.5 million members). Usage: make-country.py DIR  (writes DIR/orgs.csv)
import sys

out = open(f"{sys.argv[1]}/orgs.csv", "w", encoding="utf-8", newline="")
out.write("code,name,level,parent,kind,members\n")
out.write("VN,Trung ương,national,,,0\n")
for i in range(1, 64):
    out.write(f"P{i:02d},Đảng bộ tỉnh {i},province,VN,,0\n")
for i in range(693):
    out.write(f"P{i // 11 + 1:02d}-D{i % 11:02d},Đảng bộ huyện {i},district,P{i // 11 + 1:02d},"
              "district,0\n")
for i in range(52000):
    d = i % 693
    out.write(f"G{i:05d},Đảng bộ cơ sở {i},grassroots,P{d // 11 + 1:02d}-D{d % 11:02d},ward,"
              f"{5 + (i * 7919) % 10}\n")
for i in range(260000):
    out.write(f"C{i:06d},Chi bộ {i},cell,G{i % 52000:05d},,{15 + (i * 104729) % 10}\n")
