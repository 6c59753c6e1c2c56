"""test_cli.py: the admin commands a party office uses, through the built `convene`: names come
back byte for byte, --json is machine-readable, and every bad input is refused with one line, a
sysexits status and an unchanged store."""
import sqlite3
import subprocess
import unicodedata

from harness import BIN, EX_DATAERR, EX_USAGE, StoreTest, main


class TreeAndCongressTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district",
                "--parent", "LS", "--members", "8900")
        self.ok("org", "add", "LS-TP-VT", "Phường Vĩnh Trại", "--level", "grassroots",
                "--parent", "LS-TP", "--kind", "ward", "--members", "620")
        self.ok("congress", "plan", "LS-TP", "XVI", "--start", "2020-07-20", "--end", "2020-07-22")
        self.ok("congress", "plan", "LS-TP-VT", "VIII", "--pilot", "yes")

    def test_vietnamese_name_comes_back_byte_for_byte_in_nfc(self):
        decomposed = unicodedata.normalize("NFD", "Phường Đông Kinh")
        self.ok("org", "add", "LS-TP-DK", decomposed, "--level", "grassroots", "--parent", "LS-TP")
        name = self.js("org", "show", "LS-TP-DK")["name"]
        self.assertEqual(name.encode(), unicodedata.normalize("NFC", "Phường Đông Kinh").encode())

    def test_tree_lists_children_under_parents(self):
        rows = self.js("org", "tree", "LS")
        self.assertEqual([(r["code"], r["depth"]) for r in rows],
                         [("LS", 0), ("LS-TP", 1), ("LS-TP-VT", 2)])
        human = self.ok("org", "tree", "LS").out.splitlines()
        self.assertTrue(human[2].startswith("    LS-TP-VT  Phường Vĩnh Trại"), human)

    def test_status_reports_held_of_subordinates(self):
        self.ok("congress", "held", "LS-TP-VT", "--on", "2020-03-25")
        out = self.ok("status", "LS-TP").out
        self.assertIn("Thành phố Lạng Sơn: 1 of 1 directly subordinate organisations have held "
                      "their congress (100.0%)", out)
        j = self.js("status", "LS-TP")["reports"][0]
        self.assertEqual(j["subordinates"]["held"], 1)
        self.assertEqual(j["congress"]["numeral"], "XVI")

    def test_check_rollups_passes_and_names_a_planted_difference(self):
        self.ok("congress", "held", "LS-TP-VT", "--on", "2020-03-25")
        out = self.ok("check", "rollups").out
        self.assertIn("0 difference(s)", out)
        con = sqlite3.connect(self.db)
        con.execute("UPDATE rollups SET held = held + 1 WHERE held > 0 AND org_id = "
                    "(SELECT id FROM orgs WHERE code = 'LS-TP')")
        con.commit()
        con.close()
        r = self.run_cv("check", "rollups", "LS")
        self.assertEqual(r.code, EX_DATAERR, r.err)
        self.assertIn("LS-TP term 1 grassroots: held stored 2, recomputed 1", r.out)
        self.assertEqual(r.err.strip(), "convene: 1 roll-up(s) differ from a recomputation")
        self.refused("check", "rollups", "NOPE", says="no organisation")

    def test_parent_held_before_children_needs_a_recorded_override(self):
        self.ok("org", "add", "LS-TP-DK", "Phường Đông Kinh", "--level", "grassroots",
                "--parent", "LS-TP")
        self.ok("--now", "2020-08-01", "term", "window", "2020-2025", "district", "2020-05-01",
                "2020-08-31")
        self.refused("--now", "2020-07-25", "congress", "held", "LS-TP", "--on", "2020-07-20",
                     code=EX_DATAERR, says="--override")
        c = self.js("--now", "2020-07-25", "congress", "held", "LS-TP", "--on", "2020-07-20",
                    "--to", "2020-07-22", "--override", "Đông Kinh tổ chức sau theo chỉ đạo")
        self.assertEqual(c["status"], "held")
        ev = self.js("journal", "--type", "congress.held")[-1]
        self.assertEqual(ev["data"]["override"]["reason"], "Đông Kinh tổ chức sau theo chỉ đạo")
        self.assertIn("LS-TP-DK", ev["data"]["override"]["pending"])

    def test_work_items_filter_overdue_and_group(self):
        self.ok("subcommittee", "add", "LS-TP", "PV", "Tiểu ban Tổ chức phục vụ")
        a = self.js("work", "add", "LS-TP", "Báo cáo tiến độ", "--group", "Chỉ đạo",
                    "--due", "2020-05-20", "--subcommittee", "PV", "--budget", "5000000")
        self.ok("work", "add", "LS-TP", "Đề án nhân sự", "--group", "Nhân sự", "--due", "2020-06-10")
        self.assertEqual([w["id"] for w in self.js("work", "list", "--overdue")], [a["id"]])
        self.assertEqual(len(self.js("work", "list", "--group", "Nhân sự")), 1)
        self.assertEqual(len(self.js("work", "list", "--subcommittee", "PV")), 1)
        self.ok("work", "assign", str(a["id"]), "--person", "Phó Chánh Văn phòng")
        done = self.js("work", "done", str(a["id"]))
        self.assertEqual((done["status"], done["done_on"]), ("done", "2020-05-22"))
        self.assertEqual(self.js("work", "list", "--overdue"), [])

    def test_every_change_is_journaled_in_order(self):
        types = [e["type"] for e in self.js("journal")]
        self.assertEqual(types, ["org.added"] * 3 + ["congress.planned"] * 2)


class BadInputTest(StoreTest):
    """Each bad input: one line naming the problem, a sysexits status, the store unchanged."""

    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district", "--parent", "LS")
        self.ok("congress", "plan", "LS-TP", "XVI")

    def test_bad_arguments(self):
        self.refused("org", "add", "X", code=EX_USAGE, says="usage: convene org add")
        self.refused("org", "add", "X", "Tên", "--level", "ward", code=EX_USAGE, says="level 'ward'")
        self.refused("org", "add", "X Y", "Tên", "--level", "cell", code=EX_USAGE, says="code")
        self.refused("org", "add", "X", "Tên", "--level", "cell", "--members", "4,200",
                     code=EX_USAGE, says="not a whole number")
        self.refused("org", "add", "X", "Tên", "--level", "cell", "--bogus", code=EX_USAGE,
                     says="unknown option")
        self.refused("org", "frobnicate", code=EX_USAGE, says="unknown command")
        self.refused("congress", "set", "LS-TP", "--pilot", "maybe", code=EX_USAGE, says="yes")

    def test_after_a_double_dash_every_argument_is_positional(self):
        """A value that begins with '-' (a negative number) follows "--": it reaches the
        command's own check instead of being taken for an option."""
        self.refused("plugin", "config", "import-csv", "max_mb", "-5", code=EX_USAGE,
                     says="unknown option '-5'")
        self.refused("plugin", "config", "import-csv", "max_mb", "--", "-5", code=EX_USAGE,
                     says="max_mb must be 1 to 1048576 (MiB), not -5")
        self.ok("org", "add", "--level", "province", "--", "CB", "Tỉnh Cao Bằng")
        self.assertEqual(self.js("org", "show", "CB")["name"], "Tỉnh Cao Bằng")
        self.refused("org", "show", "--", "LS", "LS", code=EX_USAGE, says="unexpected argument")

    def test_unknown_codes(self):
        self.refused("org", "show", "NOPE", code=EX_DATAERR, says="NOPE")
        self.refused("org", "add", "X", "Tên", "--level", "cell", "--parent", "NOPE",
                     code=EX_DATAERR, says="NOPE")
        self.refused("congress", "plan", "NOPE", "I", code=EX_DATAERR, says="NOPE")
        self.refused("congress", "show", "LS", code=EX_DATAERR, says="no congress planned")
        self.refused("work", "done", "999", code=EX_DATAERR, says="999")
        self.refused("status", "--term", "2030-2035", code=EX_DATAERR, says="no term")

    def test_impossible_dates(self):
        self.refused("congress", "set", "LS-TP", "--start", "2020-02-30", code=EX_USAGE,
                     says="2020-02-30")
        self.refused("congress", "set", "LS-TP", "--start", "2020-07-22", "--end", "2020-07-20",
                     code=EX_USAGE, says="before it starts")
        self.refused("congress", "held", "LS-TP", "--on", "2020-13-01", code=EX_USAGE)
        self.refused("congress", "held", "LS-TP", "--on", "2020-06-01", code=EX_USAGE,
                     says="today is 2020-05-22")
        self.refused("--now", "yesterday", "status", code=EX_USAGE, says="--now")

    def test_cycles_and_level_inversions(self):
        self.ok("org", "add", "LS-TP-VT", "Phường Vĩnh Trại", "--level", "grassroots",
                "--parent", "LS-TP")
        self.refused("org", "move", "LS", "LS-TP-VT", code=EX_DATAERR, says="subtree")
        self.refused("org", "move", "LS-TP", "LS-TP", code=EX_DATAERR)
        self.refused("org", "add", "P", "Tỉnh P", "--level", "province", "--parent", "LS-TP",
                     code=EX_DATAERR, says="below its parent")

    def test_invariants(self):
        self.refused("congress", "plan", "LS-TP", "XVII", code=EX_DATAERR,
                     says="one congress per organisation per term")
        self.refused("org", "add", "LS", "Again", "--level", "province", code=EX_DATAERR,
                     says="already used")
        self.refused("congress", "plan", "LS", "IIII", code=EX_USAGE, says="Roman numeral")

    def test_invalid_utf8_name(self):
        before = self.snapshot()
        r = subprocess.run([BIN, "org", "add", "X", b"bad\xff", "--level", "cell"],
                           capture_output=True, env=self.env(), check=False)
        self.assertEqual(r.returncode, EX_USAGE)
        self.assertIn(b"not valid UTF-8", r.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_numbers_past_their_range_are_refused(self):
        """Every number has a range that fits the arithmetic done on it (base/bound.h)."""
        big = "9223372036854775807"
        self.refused("org", "add", "X", "Tên", "--level", "cell", "--parent", "LS-TP",
                     "--members", big, code=EX_DATAERR, says="members " + big)
        self.refused("org", "set", "LS-TP", "--members", "100000001", code=EX_DATAERR,
                     says="members 100000001 is not between 0 and 100000000")
        self.refused("congress", "set", "LS-TP", "--summoned", big, code=EX_DATAERR,
                     says="summoned " + big)
        self.refused("work", "add", "LS-TP", "T", "--group", "G", "--budget", big,
                     code=EX_DATAERR, says="budget " + big)

    def test_errors_echo_input_escaped_on_one_line(self):
        """A newline cannot forge a second 'convene:' line; terminal escapes are not printed."""
        r = self.run_cv("org", "show", "X\nconvene: all is well\x1b[2J\x9b")
        self.assertNotEqual(r.code, 0)
        self.assertEqual(r.err.count("\n"), 1, repr(r.err))
        self.assertNotIn("\x1b", r.err)
        self.assertNotIn("\x9b", r.err)
        self.assertIn("X\\nconvene: all is well\\e[2J\\u{9b}", r.err)
        raw = subprocess.run([BIN, "org", "show", b"A\xff\r"], capture_output=True,
                             env=self.env(), check=False)
        self.assertIn(b"A\\xff\\r", raw.stderr)
        self.assertEqual(raw.stderr.count(b"\n"), 1)

    def test_an_override_reason_in_invalid_utf8_changes_nothing(self):
        self.ok("org", "add", "LS-TP-VT", "Phường Vĩnh Trại", "--level", "grassroots",
                "--parent", "LS-TP")
        before = self.snapshot()
        r = subprocess.run([BIN, "congress", "held", "LS-TP", "--on", "2020-05-20",
                            "--override", b"l\xffy do"], capture_output=True, env=self.env(),
                           check=False)
        self.assertEqual(r.returncode, EX_USAGE, r.stderr)
        self.assertIn(b"--override is not valid UTF-8", r.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_empty_now_and_db_are_refused_not_ignored(self):
        self.refused("--now", "", "status", code=EX_USAGE, says="--now is empty")
        self.refused("status", "--now", "", code=EX_USAGE, says="--now is empty")
        self.refused("--db", "", "status", code=EX_USAGE, says="--db is empty")

    def test_missing_store_says_init(self):
        r = self.run_cv("--db", self.db + ".missing", "status")
        self.assertEqual(r.code, EX_DATAERR)
        self.assertIn("convene init", r.err)


if __name__ == "__main__":
    main()
