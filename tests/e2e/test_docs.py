"""test_docs.py: documents, comment rounds, plans, scenarios, meetings and inspections through the
built `convene`: a stored file comes back byte for byte, a late response is recorded as late,
adoption waits for open rounds, plan numbers repeat across years, a scenario switch changes the
work items in force, and every bad input is refused with one line and an unchanged store."""
import json
import os
import sqlite3

from harness import EX_DATAERR, EX_USAGE, StoreTest, main


class DocumentsTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "BK", "Tỉnh Bắc Kạn", "--level", "province")
        self.ok("org", "add", "BK-TP", "Thành phố Bắc Kạn", "--level", "district", "--parent", "BK")
        for i in range(1, 4):
            self.ok("org", "add", f"BK-TP-{i}", f"Phường {i}", "--level", "grassroots",
                    "--parent", "BK-TP")
        self.ok("congress", "plan", "BK-TP", "VII", "--start", "2020-08-05")
        self.draft = os.path.join(self.dir, "du-thao.docx")
        with open(self.draft, "wb") as f:
            f.write(bytes(range(256)) * 1000 + b"\x00\r\n")
        self.doc = self.js("doc", "add", "BK-TP", "Báo cáo chính trị",
                           "--kind", "political_report")["id"]
        self.ok("doc", "version", str(self.doc), self.draft, "--by", "Tiểu ban Văn kiện")

    def open_round(self):
        return self.js("round", "open", str(self.doc), "--deadline", "2020-06-14",
                       "--children", "BK-TP", "--above", "Ban Thường vụ Tỉnh ủy")["id"]

    def test_stored_file_comes_back_byte_identical(self):
        out = os.path.join(self.dir, "back.docx")
        self.ok("doc", "get", str(self.doc), "--output", out)
        with open(self.draft, "rb") as a, open(out, "rb") as b:
            self.assertEqual(a.read(), b.read())
        v = self.js("doc", "show", str(self.doc))["version_list"][0]
        self.assertEqual(v["size"], 256003)
        self.assertEqual(len(v["sha256"]), 64)

    def test_file_over_50_mb_is_refused_and_nothing_changes(self):
        big = os.path.join(self.dir, "big.pdf")
        with open(big, "wb") as f:
            f.truncate(50 * 1024 * 1024 + 1)
        self.refused("doc", "version", str(self.doc), big, "--by", "A", code=EX_DATAERR,
                     says="at most 50 MB")

    def test_round_counts_and_records_a_late_response_as_late(self):
        r = self.open_round()
        self.assertEqual(self.js("doc", "show", str(self.doc))["status"], "consultation")
        self.ok("round", "respond", str(r), "BK-TP-1", "--summary", "Nhất trí")
        late = self.run_cv("--now", "2020-06-20T08:00", "round", "respond", str(r), "BK-TP-2",
                           "--summary", "Góp ý muộn", "--json")
        self.assertEqual(late.code, 0, late.err)
        j = late.json()
        self.assertEqual(j["summary"],
                         "2 of 3 organisations have sent comments; 0 of 1 others; 1 late")
        by_key = {x["key"]: x for x in j["recipients"]}
        self.assertTrue(by_key["BK-TP-2"]["late"])
        self.assertFalse(by_key["BK-TP-1"]["late"])
        self.assertIsNone(by_key["BK-TP-3"]["responded_on"])
        self.assertIn("not yet answered (2)", self.ok("round", "show", str(r)).out)

    def test_adoption_is_refused_while_a_round_is_open(self):
        r = self.open_round()
        self.ok("doc", "status", str(self.doc), "revising")
        self.ok("doc", "status", str(self.doc), "submitted")
        self.refused("doc", "status", str(self.doc), "adopted", code=EX_DATAERR,
                     says="while comment round")
        self.ok("round", "close", str(r), "--taken-in", "Tiếp thu 2 ý kiến")
        self.assertEqual(self.js("doc", "status", str(self.doc), "adopted")["status"], "adopted")
        kinds = [e["type"] for e in self.js("journal")]
        for t in ("document.version_added", "document.round_opened", "document.round_closed",
                  "document.status_changed"):
            self.assertIn(t, kinds)

    def test_bad_input_is_refused_and_changes_nothing(self):
        r = self.open_round()
        self.refused("doc", "add", "BK-TP", "x", "--kind", "poem", code=EX_USAGE)
        self.refused("doc", "version", str(self.doc), "--by", "A", code=EX_USAGE)
        self.refused("doc", "version", "99", self.draft, "--by", "A", code=EX_DATAERR)
        self.refused("doc", "status", str(self.doc), "drafting", code=EX_DATAERR)
        self.refused("round", "respond", str(r), "BK-TP-9", code=EX_DATAERR)
        self.refused("round", "respond", str(r), "BK-TP-1", "--on", "2020-06-31", code=EX_USAGE)
        self.refused("round", "respond", str(r), "BK-TP-1", "--on", "2020-07-01", code=EX_USAGE)
        self.refused("round", "open", str(self.doc), "--deadline", "2020-01-01", "--orgs",
                     "BK-TP-1", code=EX_USAGE)
        self.refused("doc", "get", str(self.doc), "--output", "/no/such/dir/x", code=74)


class PlansScenariosMeetingsTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district", "--parent", "LS")
        self.ok("congress", "plan", "LS-TP", "XVI", "--start", "2020-07-20")

    def test_numbers_repeat_across_years(self):
        for day in ("2019-05-30", "2024-06-14"):
            self.ok("plan", "add", "35-CT/TW", "--issued", day, "--issuer", "Bộ Chính trị",
                    "--kind", "directive")
        self.refused("plan", "show", "35-CT/TW", code=EX_DATAERR, says="ambiguous")
        self.assertEqual(self.js("plan", "show", "35-CT/TW@2024-06-14")["issued"], "2024-06-14")
        self.refused("plan", "add", "35-CT/TW", "--issued", "2019-05-30", "--issuer",
                     "Bộ Chính trị", "--kind", "directive", code=EX_DATAERR)
        self.assertEqual(len(self.js("plan", "list", "--number", "35-CT/TW")), 2)

    def test_scenario_switch_changes_work_in_force_and_is_announced(self):
        self.ok("scenario", "add", "LS-TP", "covid", "COVID-19 lây lan rộng")
        self.ok("scenario", "add", "LS-TP", "normal", "Không có dịch")
        for title in ("Đại hội trực tuyến", "Trang trí hội trường", "Chuẩn bị nhân sự"):
            self.ok("work", "add", "LS-TP", title, "--group", "Hậu cần", "--due", "2020-07-01")
        self.ok("plan", "add", "76-KH/TU", "--issued", "2020-03-12", "--issuer", "Thành ủy",
                "--org", "LS-TP", "--scenario", "normal", "--department", "Ban Hậu cần")
        self.ok("scenario", "assign", "LS-TP", "covid", "--work", "1")
        self.ok("plan", "cite", "76-KH/TU", "--work", "2")
        self.ok("scenario", "use", "LS-TP", "covid", "--notify", "vp@langson.vn")
        titles = [w["title"] for w in self.js("work", "list")]
        self.assertEqual(titles, ["Đại hội trực tuyến", "Chuẩn bị nhân sự"])
        self.assertEqual(self.js("status", "LS-TP")["reports"][0]["work_items"]["total"], 2)
        self.ok("scenario", "use", "LS-TP", "normal")
        titles = [w["title"] for w in self.js("work", "list")]
        self.assertEqual(titles, ["Trang trí hội trường", "Chuẩn bị nhân sự"])
        self.assertEqual(self.js("scenario", "show", "LS-TP")["active"], "normal")
        switched = [e for e in self.js("journal") if e["type"] == "scenario.switched"]
        self.assertEqual([e["data"]["to"] for e in switched], ["covid", "normal"])
        con = sqlite3.connect(self.db)
        rows = con.execute("SELECT channel, recipient FROM outbox ORDER BY id").fetchall()
        con.close()
        self.assertEqual(rows, [("log", "LS-TP"), ("smtp", "vp@langson.vn"), ("log", "LS-TP")])
        self.refused("scenario", "use", "LS-TP", "normal", code=EX_DATAERR)

    def test_meeting_with_agenda_and_conclusions(self):
        self.ok("meeting", "add", "LS-TP", "standing", "67", "--on", "2020-05-20")
        for i in range(7):
            self.ok("meeting", "agenda", "LS-TP", "standing", "67", f"Nội dung {i + 1}")
        self.ok("meeting", "conclude", "LS-TP", "standing", "67", "Thống nhất", "--item", "7")
        m = self.js("meeting", "list", "LS-TP")[0]
        self.assertEqual((m["number"], m["status"], len(m["agenda"])), (67, "held", 7))
        self.assertEqual(m["agenda"][6]["conclusion"], "Thống nhất")
        self.refused("meeting", "add", "LS-TP", "standing", "67", "--on", "2020-05-21",
                     code=EX_DATAERR)
        self.refused("meeting", "add", "LS-TP", "board", "1", "--on", "2020-05-21", code=EX_USAGE)

    def test_inspection_request_becomes_a_work_item(self):
        self.ok("inspection", "add", "LS-TP", "--led-by", "Bí thư Tỉnh ủy", "--on", "2020-05-22",
                "--by", "LS", "--findings", "Tư tưởng ổn định")
        self.ok("inspection", "request", "1", "Giải quyết dứt điểm đơn thư", "--due", "2020-06-30")
        items = self.js("work", "list", "--org", "LS-TP")
        self.assertEqual([(w["title"], w["due"]) for w in items],
                         [("Giải quyết dứt điểm đơn thư", "2020-06-30")])
        self.refused("inspection", "request", "1", "x", "--due", "2020-05-01", code=EX_USAGE)
        self.refused("inspection", "add", "LS-TP", "--led-by", "A", "--on", "2020-06-01",
                     code=EX_USAGE)


class DocumentReportsTest(DocumentsTest):
    """The documents producer, and the sections readiness and progress borrow from it."""

    def report(self, *args):
        self.ok("plugin", "enable", "report-json")
        out = os.path.join(self.dir, "r.json")
        self.ok("report", *args, "--format", "json", "--output", out)
        with open(out, encoding="utf-8") as f:
            return {sec["heading"]: sec for sec in json.load(f)["sections"]}

    def test_documents_report_lists_documents_and_rounds(self):
        r = self.open_round()
        self.ok("round", "respond", str(r), "BK-TP-1", "--summary", "Nhất trí")
        secs = self.report("documents", "BK-TP")
        self.assertEqual(secs["Văn kiện đại hội"]["table"]["rows"],
                         [["Báo cáo chính trị", "Báo cáo chính trị", "Đang lấy ý kiến", 1]])
        rounds = secs["Lấy ý kiến dự thảo văn kiện"]
        self.assertEqual(rounds["table"]["rows"][0][3:8],
                         ["2020-06-14", "Đang lấy ý kiến", 4, 1, 0])
        self.assertIn("BK-TP: 1/3 tổ chức đã gửi ý kiến", rounds["paragraphs"][0])

    def test_readiness_and_progress_include_documents_and_open_rounds(self):
        self.open_round()
        self.assertIn("Lấy ý kiến dự thảo văn kiện", self.report("readiness", "BK-TP"))
        progress = self.report("progress", "BK")
        self.assertEqual(len(progress["Các đợt lấy ý kiến dự thảo văn kiện đang mở"]["table"]
                             ["rows"]), 1)


if __name__ == "__main__":
    main()
