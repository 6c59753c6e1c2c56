"""test_elect.py: people, the personnel scheme, elections by round, allocation and complaints
through the `convene` CLI, including refused bad input that leaves the store unchanged."""
import csv
import json
import os
import subprocess

import harness
from harness import EX_USAGE, EX_DATAERR


class ElectTest(harness.StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS", "Đảng bộ tỉnh Lạng Sơn", "--level", "province")
        self.ok("org", "add", "LS-TP", "Đảng bộ thành phố Lạng Sơn", "--level", "district",
                "--parent", "LS", "--members", "1000")
        self.ok("org", "add", "DK", "Đảng bộ phường Đông Kinh", "--level", "grassroots",
                "--parent", "LS-TP", "--members", "710", "--kind", "ward")
        self.ok("org", "add", "VT", "Đảng bộ phường Vĩnh Trại", "--level", "grassroots",
                "--parent", "LS-TP", "--members", "290", "--kind", "ward")
        self.ok("congress", "plan", "DK", "XIII", "--start", "2020-06-12",
                "--direct-secretary", "yes")
        for i in range(1, 12):
            self.ok("person", "add", f"P{i}", f"Người số {i}", "--born", f"19{60 + i}-05-01",
                    "--gender", "female" if i % 3 == 0 else "male", "--ethnicity",
                    "Tày" if i % 4 == 0 else "Kinh", "--org", "DK")

    def committee(self, seats="9", names=None):
        names = names or ",".join(f"P{i}" for i in range(1, 12))
        el = self.js("election", "create", "DK", "committee", "--seats", seats,
                     "--candidates", names)
        self.ok("election", "attendance", str(el["id"]), "--summoned", "200",
                "--convening-absent", "1", "--unreplaced-absent", "3", "--attending", "196")
        return el["id"]

    def test_person_add_list_show_and_refused_bad_dates(self):
        p = self.js("person", "show", "P3")
        self.assertEqual(p["name"], "Người số 3")
        self.assertEqual(p["gender"], "female")
        self.assertEqual(len(self.js("person", "list", "--org", "LS-TP")), 11)
        self.refused("person", "add", "X1", "Ai đó", "--born", "1970-02-30", code=EX_USAGE)
        self.refused("person", "add", "P1", "Trùng mã", code=EX_DATAERR, says="already exists")
        self.refused("person", "set", "P1", "--gender", "other", code=EX_USAGE)

    def test_the_kind_of_a_congress_is_fixed_once_an_election_stands_on_its_base(self):
        eid = self.committee()
        self.ok("congress", "set", "DK", "--kind", "members")  # nothing opened yet
        self.ok("congress", "set", "DK", "--kind", "delegates")
        self.js("election", "open", str(eid))
        self.refused("congress", "set", "DK", "--kind", "members", code=EX_DATAERR,
                     says="its kind cannot change")
        self.ok("congress", "set", "DK", "--kind", "delegates")

    def test_counted_committee_election_on_the_delegates_base(self):
        eid = self.committee()
        self.refused("election", "tally", str(eid), "--issued", "196", "--returned", "196",
                     "--valid", "196", "--invalid", "0", "P1=100", says="is created")
        el = self.js("election", "open", str(eid))
        self.assertEqual(el["base"], 196)
        self.assertEqual(el["threshold"], 99)
        votes = [f"P{i}={v}" for i, v in zip(range(1, 12),
                                             [190, 180, 170, 160, 150, 140, 120, 99, 98, 60, 50])]
        el = self.js("election", "tally", str(eid), "--issued", "196", "--returned", "195",
                     "--valid", "193", "--invalid", "2", *votes)
        self.assertEqual(el["status"], "counted")
        self.assertEqual([e["person"] for e in el["elected"]][-1], "P8")
        self.assertEqual(len(el["elected"]), 8)
        self.assertEqual(el["next_round"], {"seats": 1, "among": "not_elected"})
        lines = self.js("election", "count", str(eid))
        self.assertTrue(any("98 phiếu" in l and "không quá một nửa" in l for l in lines))
        r2 = self.js("election", "round", str(eid))
        self.assertEqual(r2["round"], 2)
        self.assertEqual(r2["seats"], 1)
        self.assertEqual([c["person"] for c in r2["candidates"]], ["P9", "P10", "P11"])
        self.refused("election", "round", str(eid), "--candidates", "P1,P9", says="already elected")

    def test_refused_tallies_leave_the_store_unchanged(self):
        eid = self.committee()
        self.ok("election", "open", str(eid))
        base = ["election", "tally", str(eid)]
        ones = [f"P{i}=1" for i in range(1, 12)]

        def fig(issued, returned, valid, invalid):
            return ["--issued", str(issued), "--returned", str(returned), "--valid", str(valid),
                    "--invalid", str(invalid)]
        self.refused(*base, *fig(100, 101, 101, 0), *ones, says="more than the 100 issued")
        self.refused(*base, *fig(100, 100, 90, 0), *ones, says="not the 100 returned")
        self.refused(*base, *fig(100, 100, 100, 0), "P1=101", *ones[1:],
                     says="more than the 100 valid")
        self.refused(*base, *fig(100, 100, 100, 0), *[f"P{i}=100" for i in range(1, 12)],
                     says="100 valid ballots x 9 seats")
        self.refused(*base, *fig(197, 100, 100, 0), *ones, says="196 attending")
        self.refused(*base, *fig(100, 100, 100, 0), *ones[:-1], says="no votes given")
        self.refused(*base, *fig(100, 100, 100, 0), *ones, "X9=1", says="not a candidate")
        self.refused(*base, *fig(100, 100, 100, 0), *ones, "P1=2", says="given twice")
        self.refused(*base, "--issued", "1,00", code=EX_USAGE)
        self.assertEqual(self.js("election", "show", str(eid))["status"], "open")

    def test_announced_is_immutable_except_by_recorded_correction_and_approved_is_final(self):
        eid = self.committee("2", "P1,P2")
        self.ok("election", "open", str(eid))
        fig = ["--issued", "196", "--returned", "196", "--valid", "196", "--invalid", "0"]
        self.ok("election", "tally", str(eid), *fig, "P1=150", "P2=90")
        self.js("election", "announce", str(eid))
        self.refused("election", "tally", str(eid), *fig, "P1=150", "P2=120",
                     says="'election correct'")
        self.refused("election", "correct", str(eid), *fig, "P1=150", "P2=120",
                     says="who makes it and why")
        el = self.js("election", "correct", str(eid), "--by", "Ban kiểm phiếu", "--reason",
                     "cộng nhầm phiếu của P2", *fig, "P1=150", "P2=120")
        self.assertEqual(len(el["elected"]), 2)
        self.assertEqual(el["corrections"][0]["by"], "Ban kiểm phiếu")
        self.assertEqual(el["corrections"][0]["before"]["votes"]["P2"]["votes"], 90)
        self.js("election", "approve", str(eid))
        self.refused("election", "correct", str(eid), "--by", "A", "--reason", "B", *fig,
                     "P1=1", "P2=1", says="final")
        types = [e["type"] for e in self.js("journal", "--type", "election.announced")]
        self.assertEqual(types, ["election.announced"])

    def test_floor_nominee_needs_the_opinion_ballot(self):
        eid = self.committee("9", "P1,P2,P3,P4,P5,P6,P7,P8,P9")
        self.refused("election", "candidates", str(eid), "--add", "P10", "--source", "floor",
                     "--agree", "58", says="not more than 30%")
        el = self.js("election", "candidates", str(eid), "--add", "P10", "--source", "floor",
                     "--agree", "59")
        self.assertEqual(el["candidates"][-1]["opinion_agree"], 59)

    def readiness_complaints(self):
        """The rows of the readiness sheet's section of unsettled complaints about candidates."""
        self.ok("plugin", "enable", "report-json")
        out = os.path.join(self.dir, "readiness.json")
        self.ok("report", "readiness", "DK", "--format", "json", "--output", out)
        with open(out, encoding="utf-8") as f:
            sections = {s["heading"]: s for s in json.load(f)["sections"]}
        return sections["Đơn thư chưa giải quyết về nhân sự"]["table"]["rows"]

    def test_scheme_check_shows_missed_targets_and_complaints(self):
        self.ok("scheme", "seats", "DK", "committee", "9")
        self.ok("scheme", "target", "DK", "women", "30")
        self.ok("scheme", "target", "DK", "minorities", "10")
        self.committee()
        self.ok("complaint", "add", "DK", "denunciation", "--about", "P2", "--summary", "nặc danh")
        self.ok("complaint", "add", "DK", "complaint", "--from", "Hoàng Văn B", "--address",
                "Số 5 Lê Lợi", "--about", "P2", "--received", "2020-05-20")
        check = self.js("scheme", "check", "DK")
        self.assertFalse(check["ok"])
        women = [t for t in check["targets"] if t["target"] == "women"][0]
        self.assertEqual(women["count"], 3)
        self.assertFalse(women["met"])
        self.assertEqual(len(check["unsettled_complaints"]), 1)
        self.assertEqual(self.readiness_complaints(), [[2, "Khiếu nại", "Người số 2", "",
                                                        "2020-05-20", "2020-06-11"]])
        lst = self.js("complaint", "list", "DK")
        self.assertEqual([c["status"] for c in lst], ["not_handled", "open"])
        self.assertEqual(lst[0]["not_handled_reason"], "anonymous")
        self.assertEqual(lst[1]["deadline"], "2020-06-11")
        self.ok("complaint", "settle", str(lst[1]["id"]), "--conclusion", "không có cơ sở")
        self.assertEqual(self.js("complaint", "list", "DK", "--candidates"), [])
        self.assertEqual(self.readiness_complaints(), [])
        self.refused("complaint", "settle", str(lst[0]["id"]), says="not open")
        self.refused("complaint", "add", "DK", "petition", code=EX_USAGE)

    def test_contents_of_2025_2030_switch_elections(self):
        self.ok("congress", "plan", "VT", "IX", "--term", "2025-2030")
        self.refused("scheme", "contents", "DK", "3", says="2025-2030")
        self.ok("scheme", "contents", "VT", "2", "--term", "2025-2030")
        self.refused("election", "create", "VT", "committee", "--seats", "1", "--candidates",
                     "P1", "--term", "2025-2030", says="scheme appoint")
        s = self.js("scheme", "appoint", "VT", "committee", "P1", "--term", "2025-2030")
        self.assertEqual(s["appointed"], {"committee": ["P1"]})

    def test_allocate_explains_each_number(self):
        a = self.js("allocate", "LS-TP", "--total", "12", "--ex-officio", "2", "--minimum", "3")
        self.assertEqual(a["allocated"], 10)
        units = {u["org"]: u for u in a["units"]}
        self.assertEqual(units["DK"]["delegates"], 7)
        self.assertEqual(units["VT"]["delegates"], 3)
        self.assertIn("minimum", units["VT"]["why"])
        self.refused("allocate", "LS-TP", "--total", "5", "--minimum", "3", says="minimum")
        self.refused("allocate", "LS-TP", "--total", "5", "--method", "d-hondt",
                     says="no allocation method")

    def test_minutes_document_in_vietnamese(self):
        eid = self.committee("2", "P1,P2")
        self.ok("election", "open", str(eid))
        self.ok("election", "tally", str(eid), "--issued", "196", "--returned", "196",
                "--valid", "196", "--invalid", "0", "P1=150", "P2=98")
        doc = self.js("election", "minutes", str(eid))
        self.assertTrue(doc["title"].startswith("Biên bản kiểm phiếu bầu Ban Chấp hành"))
        base = doc["sections"][0]["table"]["rows"]
        self.assertEqual(base[0], ["Đại biểu chính thức được triệu tập", 200])
        self.assertEqual(base[-1], ["Cơ sở tính tỷ lệ trúng cử", 196])
        votes = doc["sections"][2]["table"]["rows"]
        self.assertEqual(votes[1][2], 98)
        self.assertIn("không quá một nửa", votes[1][4])

    def counted_minutes(self):
        eid = self.committee("2", "P1,P2")
        self.ok("election", "open", str(eid))
        self.ok("election", "tally", str(eid), "--issued", "196", "--returned", "196",
                "--valid", "196", "--invalid", "0", "P1=150", "P2=98")
        return str(eid)

    def render_minutes(self, eid, fmt):
        self.ok("plugin", "enable", "report-" + fmt)
        out = os.path.join(self.dir, "minutes." + fmt)
        self.ok("report", "minutes", "--arg", eid, "--format", fmt, "--output", out)
        return out

    def test_minutes_render_as_csv_and_html(self):
        eid = self.counted_minutes()
        with open(self.render_minutes(eid, "csv"), encoding="utf-8-sig") as f:
            text = f.read()
        self.assertIn("Biên bản kiểm phiếu", text)
        self.assertIn("Cơ sở tính tỷ lệ trúng cử,196", text)
        with open(self.render_minutes(eid, "html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<table", html)
        self.assertIn("Số phiếu bầu cho từng người", html)
        self.assertIn("không quá một nửa", html)
        self.refused("report", "minutes", "--format", "csv", "--output",
                     os.path.join(self.dir, "x.csv"), says="election id")

    def test_minutes_xlsx_read_back_by_libreoffice(self):
        xlsx = self.render_minutes(self.counted_minutes(), "xlsx")
        out = os.path.join(self.dir, "converted")
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{self.dir}/lo",
                        "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                        out, xlsx], check=True, capture_output=True, timeout=180)
        with open(os.path.join(out, "minutes.csv"), encoding="utf-8") as f:
            rows = [[c for c in r if c != ""] for r in csv.reader(f)]
        self.assertIn(["Cơ sở tính tỷ lệ trúng cử", "196"], rows)
        self.assertIn(["Hợp lệ", "196"], rows)
        p2 = next(r for r in rows if "Người số 2" in r)
        self.assertEqual(p2[:3], ["2", "Người số 2", "98"])

if __name__ == "__main__":
    harness.main()
