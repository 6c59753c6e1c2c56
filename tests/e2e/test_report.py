"""test_report.py: `convene report NAME [ORG] --format F --output FILE`: the progress of a subtree,
work items by group and subcommittee with the overdue ones, and a congress's readiness sheet,
rendered by the reporter plugins as text, CSV (UTF-8 with BOM), JSON, one printable HTML file and
XLSX, which LibreOffice headless converts back so the numbers can be checked."""
import csv
import io
import json
import os
import subprocess

from harness import StoreTest, main

FORMATS = ("text", "csv", "json", "html", "xlsx")


class ReportTest(StoreTest):
    def setUp(self):
        super().setUp()
        for name in FORMATS:
            self.ok("plugin", "enable", "report-" + name)
        self.ok("org", "add", "P", "Tỉnh P", "--level", "province")
        self.ok("org", "add", "D", "Huyện Đồng Đăng", "--level", "district", "--parent", "P")
        for i in range(1, 5):
            self.ok("org", "add", f"G{i}", f"Xã {i}", "--level", "grassroots", "--parent", "D")
            self.ok("congress", "plan", f"G{i}", "VIII", "--start", f"2020-05-1{i}")
        self.ok("congress", "plan", "D", "XX", "--start", "2020-08-10", "--end", "2020-08-12")
        self.ok("congress", "held", "G1", "--on", "2020-05-11")
        self.ok("congress", "held", "G2", "--on", "2020-05-12")
        self.ok("congress", "prepare", "G3")
        self.ok("subcommittee", "add", "D", "VK", "Tiểu ban Văn kiện")
        self.ok("work", "add", "D", "Dự thảo <báo cáo> & nghị quyết", "--group", "Văn kiện",
                "--subcommittee", "VK", "--due", "2020-05-15", "--budget", "1000000")
        self.ok("work", "add", "D", "Hội trường", "--group", "Hậu cần", "--due", "2020-07-01")

    def out(self, name):
        return os.path.join(self.dir, name)

    def render(self, *args):
        path = self.out("r." + args[-1])
        self.ok("report", *args[:-1], "--format", args[-1], "--output", path)
        with open(path, "rb") as f:
            return f.read()

    def test_progress_as_text_says_2_of_4_and_counts_per_level(self):
        text = self.ok("report", "progress", "D").out
        self.assertIn("2/4 tổ chức đảng trực thuộc đã tiến hành đại hội (50.0%)", text)
        row = next(l for l in text.splitlines() if "Cấp cơ sở" in l)
        self.assertEqual([c.strip() for c in row.strip("|").split("|")],
                         ["Cấp cơ sở", "4", "2", "1", "1", "0", "0", "50.0%"])

    def test_json_is_the_document_with_typed_columns(self):
        doc = json.loads(self.render("progress", "D", "json"))
        self.assertEqual(doc["title"], "Tiến độ đại hội đảng bộ các cấp")
        self.assertEqual(doc["generated"], "2020-05-22")
        table = doc["sections"][0]["table"]
        self.assertEqual([c["type"] for c in table["columns"]],
                         ["text", "int", "int", "int", "int", "int", "int", "percent"])
        self.assertEqual(table["rows"][0], ["Trực thuộc trực tiếp", 4, 2, 1, 1, 0, 0, 0.5])

    def test_csv_is_utf8_with_bom_and_crlf(self):
        data = self.render("progress", "D", "csv")
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
        self.assertIn(b"\r\n", data)
        rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
        self.assertIn(["Cấp cơ sở", "4", "2", "1", "1", "0", "0", "50.0%"], rows)
        self.assertIn(["Đơn vị", "Huyện Đồng Đăng"], rows)

    def test_html_is_one_printable_file_with_text_escaped(self):
        html = self.render("work-items", "D", "html").decode("utf-8")
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertIn("@media print", html)
        self.assertNotIn("<script", html)
        self.assertNotIn("src=", html)
        self.assertIn("Dự thảo &lt;báo cáo&gt; &amp; nghị quyết", html)

    def test_work_items_by_group_and_subcommittee_with_the_overdue(self):
        doc = json.loads(self.render("work-items", "D", "json"))
        sections = {s["heading"]: s for s in doc["sections"]}
        groups = {r[0]: r[1:] for r in sections["Theo nhóm công việc"]["table"]["rows"]}
        self.assertEqual(groups["Văn kiện"], [1, 0, 1, 1, 1000000])
        self.assertEqual(groups["Hậu cần"], [1, 0, 1, 0, 0])
        subs = {r[0]: r[1:] for r in sections["Theo tiểu ban"]["table"]["rows"]}
        self.assertEqual(subs["VK"][0], 1)
        overdue = sections["Công việc quá hạn"]["table"]["rows"]
        self.assertEqual(len(overdue), 1)
        self.assertEqual(overdue[0][1], "Dự thảo <báo cáo> & nghị quyết")
        self.assertEqual(overdue[0][-2:], ["2020-05-15", 7])

    def test_readiness_sheet_of_one_congress(self):
        text = self.ok("report", "readiness", "D").out
        self.assertIn("Tình hình chuẩn bị Đại hội XX", text)
        self.assertIn("Còn 80 ngày đến ngày khai mạc (2020-08-10)", text)
        self.assertIn("2/4 tổ chức đảng trực thuộc đã tiến hành đại hội", text)

    def test_xlsx_converted_by_libreoffice_keeps_the_numbers(self):
        self.render("progress", "D", "xlsx")
        out = self.out("converted")
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{self.dir}/lo",
                        "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                        out, self.out("r.xlsx")], check=True, capture_output=True, timeout=180)
        with open(os.path.join(out, "r.csv"), encoding="utf-8") as f:
            rows = [[c for c in r if c != ""] for r in csv.reader(f)]
        self.assertIn(["Trực thuộc trực tiếp", "4", "2", "1", "1", "0", "0", "50.0%"], rows)
        self.assertIn(["Cấp cơ sở", "4", "2", "1", "1", "0", "0", "50.0%"], rows)
        self.assertIn(["Đơn vị", "Huyện Đồng Đăng"], rows)

    def test_report_list_names_the_producers(self):
        names = [p["name"] for p in self.js("report", "list")]
        self.assertEqual(names, ["progress", "work-items", "readiness", "documents", "minutes"])

    def test_refusals_say_what_is_wrong(self):
        self.refused("report", "nothing", "D", code=65, says="no report named 'nothing'")
        self.refused("report", "progress", "D", "--format", "pdf", code=65,
                     says="no report plugin for 'pdf'")
        self.refused("report", "progress", "NOPE", code=65)
        self.ok("plugin", "disable", "report-xlsx")
        self.refused("report", "progress", "D", "--format", "xlsx", "--output", self.out("x.xlsx"),
                     code=78, says="plugin report-xlsx is disabled")
        self.assertFalse(os.path.exists(self.out("x.xlsx")))


if __name__ == "__main__":
    main()
