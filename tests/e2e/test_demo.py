"""test_demo.py: the demo store built from demo/ shows the figures of DOMAIN.md: Lạng Sơn city's
42 of 72, Bắc Kạn city's 47 grassroots organisations with about 4,200 members and 176 cells done by
March 2020, and Thái Nguyên's congress XX with 54 work items in 8 groups."""
import os
import subprocess
import unittest

from harness import BIN, SOURCE, StoreTest, main


class DemoTest(StoreTest):
    NOW = ""  # the demo store carries its own clock (22 May 2020)

    @classmethod
    def setUpClass(cls):
        cls.demo = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"cv-demo-{os.getpid()}.db")
        subprocess.run(["bash", os.path.join(SOURCE, "demo", "build.sh"), BIN, cls.demo],
                       check=True, capture_output=True, timeout=600)

    @classmethod
    def tearDownClass(cls):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(cls.demo + suffix):
                os.unlink(cls.demo + suffix)

    def setUp(self):
        self.db = self.demo

    def tearDown(self):
        pass

    def test_the_demo_accounts_act_within_their_grants(self):
        """The units' accounts (demo/steps/90-accounts.sh) act in their subtrees, and every event
        of the demo names its actor."""
        self.assertEqual(self.js("--as", "bithu.ntmk", "congress", "show", "BK-TP-NTMK")["status"],
                         "held")
        self.refused("--as", "bithu.ntmk", "congress", "show", "BK-TP", code=77)
        self.assertGreater(len(self.js("--as", "vp.backan", "work", "list", "--org", "BK-TP")), 0)
        self.refused("--as", "vp.backan", "org", "set", "TN", "--members", "1", code=77)
        self.refused("--as", "xem.langson", "org", "set", "LS-TP", "--members", "1", code=77)
        self.ok("--as", "xem.langson", "status", "LS-TP")
        self.ok("--as", "vp.thainguyen", "org", "show", "TN-TP")
        self.assertIn("admin", [a["login"] for a in self.js("account", "list")])
        StoreTest.assert_every_event_has_an_actor(self)

    def report(self, org):
        return self.js("status", org)["reports"][0]

    def test_each_unit_has_its_lua_package_and_it_checks_clean(self):
        packages = {p["name"]: p for p in self.js("script", "list")}
        self.assertEqual(sorted(packages), ["BK-TP", "LS-TP", "TN"])
        for name, p in packages.items():
            self.assertEqual(p["org"], name)
            self.ok("script", "check", p["path"], "--org", name)

    def test_lang_son_city_42_of_72_on_22_may_2020(self):
        out = self.ok("status", "LS-TP").out
        self.assertIn("Term 2020-2025, as of 2020-05-22", out)
        self.assertIn("42 of 72 directly subordinate organisations have held their congress "
                      "(58.3%)", out)
        pilots = [c for c in ("LS-TP-VT", "LS-TP-DN01") if self.js("congress", "show", c)["pilot"]]
        self.assertEqual(len(pilots), 2)
        self.assertTrue(self.js("congress", "show", "LS-TP-DK")["direct_secretary"])

    def test_bac_kan_city_grassroots_members_and_cells(self):
        r = self.report("BK-TP")
        grassroots = [o for o in self.js("org", "tree", "BK-TP", "--depth", "1") if o["depth"] == 1]
        self.assertEqual(len(grassroots), 47)
        self.assertEqual(sum(o["members"] for o in grassroots), 4200)
        cells = next(lv for lv in r["levels"] if lv["level"] == "cell")
        held_by_march = [e for e in self.js("journal", "--type", "congress.held", "--limit", "100000")
                         if e["data"]["org"].count("-C") and e["data"]["actual_start"] <= "2020-03-31"]
        self.assertEqual(len(held_by_march), 176)
        self.assertEqual(cells["late"], 4)
        ward = self.js("congress", "show", "BK-TP-NTMK")
        self.assertEqual((ward["numeral"], ward["pilot"], ward["status"]), ("VIII", True, "held"))
        self.assertEqual(self.js("congress", "show", "BK-TP")["numeral"], "VII")

    def test_thai_nguyen_congress_xx_and_its_54_work_items(self):
        c = self.js("congress", "show", "TN")
        self.assertEqual((c["numeral"], c["planned_start"], c["planned_end"]),
                         ("XX", "2020-10-11", "2020-10-13"))
        items = self.js("work", "list", "--org", "TN")
        self.assertEqual(len(items), 54)
        self.assertEqual(len({w["group"] for w in items}), 8)
        self.assertTrue(all(w["unit"] and w["person"] and w["due"] for w in items))
        self.assertGreater(sum(w["budget"] for w in items), 0)
        self.assertGreater(len(self.js("work", "list", "--org", "TN", "--overdue")), 0)

    def test_documents_rounds_meetings_inspection_and_scenarios(self):
        docs = {d["kind"]: d for d in self.js("doc", "list", "TN")}
        pr = self.js("doc", "show", str(docs["political_report"]["id"]))
        self.assertEqual(pr["version_list"][-1]["note"], "đã tiếp thu ý kiến của Bộ Chính trị")
        self.assertIn("Bộ Chính trị", pr["rounds"][-1]["summary"] + str(
            self.js("round", "show", str(pr["rounds"][-1]["id"]))["recipients"]))
        bk = self.js("round", "list", "--open")
        self.assertEqual([(r["org"], r["deadline"], r["orgs"]) for r in bk],
                         [("BK-TP", "2020-06-14", 47)])
        meetings = {(m["body"], m["number"]): m for m in self.js("meeting", "list", "TN")}
        self.assertEqual(len(meetings[("standing", 67)]["agenda"]), 7)
        self.assertEqual(meetings[("executive", 25)]["on"], "2020-09-30")
        self.assertIn(("standing", 66), meetings)
        self.assertIn(("executive", 24), meetings)
        visit = self.js("inspection", "list", "LS-TP")[0]
        self.assertEqual(visit["on"], "2020-05-22")
        self.assertTrue(visit["requests"])
        self.assertEqual(self.js("scenario", "show", "TN")["active"], "normal")
        self.assertEqual(self.js("plan", "show", "35-CT/TW")["issued"], "2019-05-30")


if __name__ == "__main__":
    main()
