# make-country.py: writes the country of bench/tree as convene's import files, deterministic:
# 63 provinces, 693 district-level organisations, 52,000 grassroots organisations and 260,000
# cells (about 5.5 million members); the 2020-2025 congress of each in a realistic mix of states
# on 22 May 2020 (cells: 90% held on time, 5% held after their window closed on 31 March, 5%
# still preparing; grassroots: 60% held in May, 20% preparing, 20% planned; 10% of districts
# preparing; the rest planned); and 4 work items of each district's congress.
# Usage: make-country.py DIR  (writes DIR/orgs.csv, DIR/congresses.csv, DIR/work-items.csv)
import sys

orgs = [("VN", "Trung ương", "national", "", "", 0)]
orgs += [(f"P{i:02d}", f"Đảng bộ tỉnh {i}", "province", "VN", "", 0) for i in range(1, 64)]
orgs += [(f"P{i // 11 + 1:02d}-D{i % 11:02d}", f"Đảng bộ huyện {i}", "district",
          f"P{i // 11 + 1:02d}", "district", 0) for i in range(693)]
orgs += [(f"G{i:05d}", f"Đảng bộ cơ sở {i}", "grassroots",
          f"P{i % 693 // 11 + 1:02d}-D{i % 693 % 11:02d}", "ward", 5 + (i * 7919) % 10)
         for i in range(52000)]
orgs += [(f"C{i:06d}", f"Chi bộ {i}", "cell", f"G{i % 52000:05d}", "", 15 + (i * 104729) % 10)
         for i in range(260000)]

PLANNED = {"national": "2021-01-25", "province": "2020-10-10", "district": "2020-07-15",
           "grassroots": "2020-05-01", "cell": "2020-03-01"}


def congress(n, level):
    """Status and held dates of the congress of the n-th organisation (its id in a new store)."""
    if level == "cell":
        return (("preparing", "", "") if n % 20 == 0 else
                ("held", "2020-04-10", "") if n % 20 == 1 else ("held", "2020-03-01", ""))
    if level == "grassroots":
        return (("held", "2020-05-05", "2020-05-06") if n % 5 < 3 else
                ("preparing", "", "") if n % 5 == 3 else ("planned", "", ""))
    if level == "district" and n % 10 == 0:
        return ("preparing", "", "")
    return ("planned", "", "")


with open(f"{sys.argv[1]}/orgs.csv", "w", encoding="utf-8", newline="") as out:
    out.write("code,name,level,parent,kind,members\n")
    out.writelines(f"{c},{name},{level},{parent},{kind},{members}\n"
                   for c, name, level, parent, kind, members in orgs)
with open(f"{sys.argv[1]}/congresses.csv", "w", encoding="utf-8", newline="") as out:
    out.write("org,term,ordinal,status,planned,held,held_end\n")
    for n, (c, _, level, *_) in enumerate(orgs, 1):
        status, held, end = congress(n, level)
        out.write(f"{c},2020-2025,10,{status},{PLANNED[level]},{held},{end}\n")
with open(f"{sys.argv[1]}/work-items.csv", "w", encoding="utf-8", newline="") as out:
    out.write("org,group,title,unit,person,due,budget\n")
    out.writelines(f"{c},{k}. Nhóm,Việc {k},Văn phòng,Chánh Văn phòng,2020-05-1{k},1000000\n"
                   for c, _, level, *_ in orgs if level == "district" for k in range(1, 5))
