"""test_import.py: `convene import FILE --as KIND` through the import-csv plugin: RFC 4180 files
with or without a BOM, CRLF or LF, Windows-1258; names stored in NFC; errors naming file, row and
column; --dry-run; an import lands whole or not at all; re-importing changes nothing."""
import json
import os
import pty
import sqlite3
import subprocess
import unicodedata

from harness import BIN, StoreTest, main

ORGS = ("code,name,level,parent,kind,members\r\n"
        "LS,Tỉnh Lạng Sơn,province,,,\r\n"
        "LS-TP,\"Thành phố Lạng Sơn\",district,LS,,3100\r\n"
        "LS-TP-VT,\"Phường Vĩnh Trại\",grassroots,LS-TP,ward,300\r\n"
        "LS-TP-DN,\"Chi bộ Công ty \"\"Điện lực\"\", Lạng Sơn\",grassroots,LS-TP,enterprise,45\r\n")


def to_cp1258(text):
    """Windows-1258 as Vietnamese offices write it: base letters precomposed, tones combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", d[0] + "".join(m for m in d[1:] if m not in tones))
        out += base.encode("cp1258") + "".join(m for m in d[1:] if m in tones).encode("cp1258")
    return out


class ImportTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("plugin", "enable", "import-csv")

    def write(self, name, content, encoding="utf-8"):
        path = os.path.join(self.dir, name)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def orgs(self):
        con = sqlite3.connect(self.db)
        try:
            return {r[0]: r[1:] for r in con.execute(
                "SELECT o.code, o.name, o.level, coalesce(p.code, ''), o.kind, o.members "
                "FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id")}
        finally:
            con.close()

    def test_rfc4180_file_with_bom_and_crlf_lands_and_reimport_changes_nothing(self):
        path = self.write("orgs.csv", "\ufeff" + ORGS)
        r = self.js("import", path, "--as", "orgs")
        self.assertEqual((r["rows"], r["inserted"], r["updated"], r["unchanged"]), (4, 4, 0, 0))
        orgs = self.orgs()
        self.assertEqual(orgs["LS-TP-DN"],
                         ('Chi bộ Công ty "Điện lực", Lạng Sơn', "grassroots", "LS-TP",
                          "enterprise", 45))
        self.assertEqual(orgs["LS-TP"], ("Thành phố Lạng Sơn", "district", "LS", "", 3100))
        before = self.snapshot()
        r = self.js("import", path, "--as", "orgs")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (0, 0, 4))
        after = self.snapshot()
        for table in ("events", "sqlite_sequence"):  # only the import.completed event is new
            del before[table], after[table]
        self.assertEqual(after, before)

    def test_upsert_by_code_updates_only_what_changed(self):
        self.ok("import", self.write("a.csv", ORGS), "--as", "orgs")
        r = self.js("import", self.write("b.csv", "code,name,level,members\n"
                                         "LS-TP-VT,Phường Vĩnh Trại,grassroots,310\n"), "--as", "orgs")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (0, 1, 0))
        self.assertEqual(self.orgs()["LS-TP-VT"][2:], ("LS-TP", "ward", 310))

    def test_imported_tree_has_its_rollups_and_moves_through_an_upsert(self):
        self.ok("import", self.write("a.csv", ORGS), "--as", "orgs")
        self.ok("org", "add", "LS-CL", "Huyện Cao Lộc", "--level", "district", "--parent", "LS")
        self.ok("check", "rollups")
        levels = {lv["level"]: lv["total"] for lv in self.js("status", "LS")["reports"][0]["levels"]}
        self.assertEqual(levels, {"district": 2, "grassroots": 2})
        # A row that names another parent moves the organisation, roll-ups and paths with it.
        self.ok("import", self.write("b.csv", "code,name,level,parent\n"
                                     "LS-TP-VT,Phường Vĩnh Trại,grassroots,LS-CL\n"), "--as", "orgs")
        self.ok("check", "rollups")
        sub = self.js("status", "LS-CL")["reports"][0]["subordinates"]
        self.assertEqual(sub["total"], 1)

    def test_a_name_typed_two_ways_is_one_name_in_nfc(self):
        nfd = unicodedata.normalize("NFD", "Tỉnh Thái Nguyên")
        self.assertNotEqual(nfd, "Tỉnh Thái Nguyên")
        self.ok("import", self.write("nfd.csv", f"code,name,level\nTN,{nfd},province\n"),
                "--as", "orgs")
        self.assertEqual(self.orgs()["TN"][0], "Tỉnh Thái Nguyên")
        r = self.js("import", self.write("nfc.csv", "code,name,level\nTN,Tỉnh Thái Nguyên,province\n"),
                    "--as", "orgs")
        self.assertEqual(r["unchanged"], 1)

    def test_windows_1258_file_with_encoding_cp1258(self):
        text = "code,name,level\nTN,Tỉnh Thái Nguyên,province\nBK,Tỉnh Bắc Kạn,province\n"
        path = self.write("cp.csv", to_cp1258(text))
        self.refused("import", path, "--as", "orgs", code=64, says="not valid UTF-8")
        self.ok("import", path, "--as", "orgs", "--encoding", "cp1258")
        self.assertEqual(self.orgs()["TN"][0], "Tỉnh Thái Nguyên")
        self.assertEqual(self.orgs()["BK"][0], "Tỉnh Bắc Kạn")

    def test_rfc4180_line_breaks_in_multi_line_fields_and_spaces_are_data(self):
        """A quoted field may hold line breaks where the field is multi-line (a person's
        titles, one position a line; CRLF kept as LF, as `person add` keeps it); elsewhere (a
        work item's title, which goes into notification subjects) a line break is refused.
        Spaces at the edges of an unquoted field are part of it (libcsv would trim them)."""
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("congress", "plan", "LS-TP", "XXII", "--start", "2020-08-10")
        people = ("code,name,titles\r\n"
                  "P1,Hoàng Văn A,\"Bí thư Đảng ủy\r\nChủ tịch HĐND\"\r\n")
        self.ok("import", self.write("p.csv", people), "--as", "people")
        self.assertEqual(self.js("person", "show", "P1")["titles"], "Bí thư Đảng ủy\nChủ tịch HĐND")
        self.ok("person", "add", "P2", "Lê Thị B", "--titles", "Phó Bí thư\r\nỦy viên")
        self.assertEqual(self.js("person", "show", "P2")["titles"], "Phó Bí thư\nỦy viên")
        items = "org,group,title\r\nLS-TP,Văn kiện,\"Dự thảo\r\nbáo cáo\"\r\n"
        self.refused("import", self.write("w.csv", items), "--as", "work-items",
                     says="column 3 (title): control character (byte 0x0d)")
        self.ok("import", self.write("s.csv", "code,name,level,parent\nX1, Xã Một ,grassroots,"
                                     "LS-TP\n"), "--as", "orgs")
        self.assertEqual(self.orgs()["X1"][0], " Xã Một ")
        self.refused("import", self.write("c.csv", "code,name,level\n X2,Xã,province\n"),
                     "--as", "orgs", says="(code): code ' X2' must start with a letter or digit")

    def test_windows_1258_keeps_a_letter_and_its_tone_mark_as_written(self):
        """Ó (0xD3) then a combining tilde (0xDE): glibc's converter made Ṍ (O, tilde, acute),
        which is not canonically equivalent; the stored name is the NFC of what the file says."""
        path = self.write("t.csv", b"code,name,level\nX1,T\xd3\xde,province\n")
        self.ok("import", path, "--as", "orgs", "--encoding", "cp1258")
        name = self.orgs()["X1"][0]
        self.assertEqual(name, unicodedata.normalize("NFC", "T\u00d3\u0303"))
        self.assertEqual(unicodedata.normalize("NFD", name), "TO\u0301\u0303")
        self.assertNotIn("\u1e4c", name)

    def test_errors_name_file_row_and_column_and_change_nothing(self):
        self.ok("import", self.write("base.csv", ORGS), "--as", "orgs")
        before = self.orgs()
        cases = [
            ("code,name,level\nX1,Xã Một,town\n", "row 2, column 3 (level): level 'town' is not one of"),
            ("code,name,level,parent\nX1,Xã Một,grassroots,NOPE\n",
             "row 2, column 4 (parent): unknown organisation 'NOPE'"),
            ("code,name,level,colour\nX1,Xã Một,grassroots,red\n",
             "row 1, column 4 (colour): unknown column"),
            ("code,level\nX1,grassroots\n", "row 1: the column name is missing"),
            ("code,name,level,members\nX1,Xã Một,grassroots,4.200\n",
             "row 2, column 4 (members): member count '4.200' is not a whole number"),
            ("code,name,level\nX1,\"Xã Một,grassroots\n", "malformed CSV"),
            ("code,name,level\nX1,\"Xã\nMột\",grassroots\nX2,,cell\n",
             "row 2, column 2 (name): control character (byte 0x0a)"),
            ("code,name,level\nX1,\"Xã \"\"Một\"\"\",grassroots\nX2,,cell\n",
             "row 3, column 2 (name): a value is required"),
            ("code,name,level,parent\nX1,Xã Một,province,LS-TP\n",
             "row 2, column 3 (level): a province cannot be placed under a district"),
            ("code,name,level\nbad code,Xã,cell\n", "row 2, column 1 (code): code 'bad code' may only use letters"),
            # the store's CHECK stands aside while an import writes: the importer refuses it
            ("code,name,level,parent\nLS-TP,Thành phố Lạng Sơn,grassroots,LS-TP\n",
             "row 2, column 4 (parent): an organisation cannot be its own parent"),
        ]
        for content, says in cases:
            path = self.write("bad.csv", content)
            with self.subTest(says=says):
                self.refused("import", path, "--as", "orgs", code=64, says=f"{path}: ")
                self.refused("import", path, "--as", "orgs", says=says)
                self.assertEqual(self.orgs(), before)

    def test_a_bad_last_row_leaves_the_store_unchanged(self):
        good = "".join(f"G{i},Xã {i},province,,,\n" for i in range(50))
        self.refused("import", self.write("x.csv", "code,name,level,parent,kind,members\n" + good +
                                          "G50,Xã 50,province,,,-3\n"),
                     "--as", "orgs", says="row 52, column 6 (members)")
        self.assertEqual(self.orgs(), {})

    def index_sql(self):
        con = sqlite3.connect(self.db)
        try:
            return con.execute("SELECT name, sql FROM sqlite_schema WHERE tbl_name = 'orgs' "
                               "AND type = 'index' ORDER BY name").fetchall()
        finally:
            con.close()

    def test_import_orgs_bulk_indexes(self):
        """A file with more new organisations than the store holds lands with orgs' indexes
        dropped and made again: the schema after it is a fresh store's, the roll-ups check, and
        a row of a known code on the way makes them again first."""
        fresh = self.index_sql()
        self.assertEqual([n for n, _ in fresh], ["orgs_by_parent", "orgs_by_path",
                                                 "sqlite_autoindex_orgs_1"])
        self.ok("import", self.write("a.csv", ORGS), "--as", "orgs")
        rows = "".join(f"LS-TP-X{i},Xã {i},grassroots,LS-TP,commune,{i}\n" for i in range(150))
        rows += "LS-TP-VT,Phường Vĩnh Trại,grassroots,LS-TP,ward,310\n"  # known: one by one
        rows += "".join(f"LS-TP-Y{i},Xã Y{i},grassroots,LS-TP,,\n" for i in range(100))
        r = self.js("import", self.write("b.csv", "code,name,level,parent,kind,members\n" + rows),
                    "--as", "orgs")
        self.assertEqual((r["inserted"], r["updated"]), (250, 1))
        self.assertEqual(self.index_sql(), fresh)
        self.ok("check", "rollups")
        levels = {lv["level"]: lv["total"] for lv in self.js("status", "LS")["reports"][0]["levels"]}
        self.assertEqual(levels, {"district": 1, "grassroots": 252})
        con = sqlite3.connect(self.db)
        try:
            plan = " ".join(r[3] for r in con.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM orgs WHERE level = 'grassroots' AND path > '/'"))
        finally:
            con.close()
        self.assertIn("orgs_by_path", plan)

    def test_a_bad_row_after_the_indexes_are_dropped_leaves_the_store_unchanged(self):
        self.ok("import", self.write("a.csv", ORGS), "--as", "orgs")
        fresh = self.index_sql()
        rows = "".join(f"LS-TP-X{i},Xã {i},grassroots,LS-TP,,\n" for i in range(200))
        self.refused("import", self.write("x.csv", "code,name,level,parent,kind,members\n" + rows +
                                          "LS-TP-Z,Xã Z,grassroots,NOPE,,\n"),
                     "--as", "orgs", says="row 202, column 4 (parent)")
        self.assertEqual(self.index_sql(), fresh)
        self.assertEqual(len(self.orgs()), 4)
        self.ok("check", "rollups")

    def test_dry_run_validates_and_writes_nothing(self):
        before = self.snapshot()
        r = self.ok("import", self.write("o.csv", ORGS), "--as", "orgs", "--dry-run")
        self.assertIn("dry run, nothing written", r.out)
        self.assertIn("4 to insert", r.out)
        self.assertEqual(self.snapshot(), before)
        self.refused("import", self.write("bad.csv", "code,name,level\nX,Y,nowhere\n"), "--as",
                     "orgs", "--dry-run", says="row 2, column 3 (level)")

    def test_members_update_counts_of_known_organisations(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        r = self.js("import", self.write("m.csv", "org,members\nLS-TP-VT,320\nLS-TP-DN,45\n"),
                    "--as", "members")
        self.assertEqual((r["updated"], r["unchanged"]), (1, 1))
        self.assertEqual(self.orgs()["LS-TP-VT"][4], 320)
        self.refused("import", self.write("m2.csv", "org,members\nLS-XX,1\n"), "--as", "members",
                     says="row 2, column 1 (org): unknown organisation 'LS-XX'")

    def test_work_items_upsert_by_congress_group_and_title(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("congress", "plan", "LS-TP", "XXII", "--start", "2020-08-10")
        self.ok("subcommittee", "add", "LS-TP", "VK", "Tiểu ban Văn kiện")
        items = ("org,group,title,subcommittee,unit,due,budget,status,done_on\n"
                 "LS-TP,Văn kiện,Dự thảo báo cáo chính trị,VK,Ban Tuyên giáo,2020-06-15,5000000,,\n"
                 "LS-TP,Hậu cần,Chuẩn bị hội trường,,Văn phòng,2020-08-01,,done,2020-05-20\n")
        r = self.js("import", self.write("w.csv", items), "--as", "work-items")
        self.assertEqual((r["inserted"], r["updated"]), (2, 0))
        self.assertEqual(self.js("import", self.write("w.csv", items), "--as",
                                 "work-items")["unchanged"], 2)
        moved = items.replace("2020-06-15", "2020-06-20")
        self.assertEqual(self.js("import", self.write("w2.csv", moved), "--as",
                                 "work-items")["updated"], 1)
        listed = self.js("work", "list", "--org", "LS-TP")
        self.assertEqual(sorted(w["due"] for w in listed), ["2020-06-20", "2020-08-01"])
        self.refused("import", self.write("w3.csv", items.replace(",VK,", ",XX,")), "--as",
                     "work-items", says="column 4 (subcommittee)")
        self.refused("import", self.write("w4.csv", items.replace("2020-06-15", "2020-02-30")),
                     "--as", "work-items", says="column 6 (due): date '2020-02-30' is not a date")
        self.refused("import", self.write("w5.csv", items.replace("LS-TP,", "LS,", 1)), "--as",
                     "work-items", says="row 2, column 1 (org): LS has no congress")

    CONGRESSES = ("org,term,ordinal,kind,status,planned,held,held_end\n"
                  "LS,,XVII,,planned,2020-10-10,,\n"
                  "LS-TP,2020-2025,22,,preparing,2020-07-15,,\n"
                  "LS-TP-VT,,10,,held,2020-05-01,2020-05-05,2020-05-06\n"
                  "LS-TP-DN,,10,,planned,2020-06-01,,\n")

    def congresses(self):
        con = sqlite3.connect(self.db)
        try:
            return {r[0]: r[1:] for r in con.execute(
                "SELECT o.code, t.code, c.ordinal, c.kind, c.status, c.planned_start, "
                "c.planned_end, c.actual_start, c.actual_end FROM congresses c "
                "JOIN orgs o ON o.id = c.org_id JOIN terms t ON t.id = c.term_id")}
        finally:
            con.close()

    def congress_journal(self, after=0):
        con = sqlite3.connect(self.db)
        try:
            return [(r[0], r[1], json.loads(r[2])) for r in con.execute(
                "SELECT id, type, data FROM events WHERE id > ? AND (type LIKE 'congress.%' OR "
                "(type = 'import.rows' AND data ->> 'kind' = 'congress')) ORDER BY id", (after,))]
        finally:
            con.close()

    def test_congresses_land_whole_with_their_rollups_and_reimport_changes_nothing(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        path = self.write("c.csv", self.CONGRESSES)
        r = self.js("import", path, "--as", "congresses")
        self.assertEqual((r["rows"], r["inserted"], r["updated"], r["unchanged"]), (4, 4, 0, 0))
        # kinds by the rule of `congress plan`: a grassroots organisation of 200 members or more
        # meets as delegates; the planned end is the planned start
        self.assertEqual(self.congresses(), {
            "LS": ("2020-2025", 17, "delegates", "planned", "2020-10-10", "2020-10-10", None, None),
            "LS-TP": ("2020-2025", 22, "delegates", "preparing", "2020-07-15", "2020-07-15", None,
                      None),
            "LS-TP-VT": ("2020-2025", 10, "delegates", "held", "2020-05-01", "2020-05-01",
                         "2020-05-05", "2020-05-06"),
            "LS-TP-DN": ("2020-2025", 10, "members", "planned", "2020-06-01", "2020-06-01", None,
                         None)})
        self.ok("check", "rollups")
        report = self.js("status", "LS")["reports"][0]
        levels = {lv["level"]: (lv["total"], lv["held"], lv["preparing"], lv["planned"])
                  for lv in report["levels"]}
        self.assertEqual(levels, {"district": (1, 0, 1, 0), "grassroots": (2, 1, 0, 1)})
        [batch] = [d for _, t, d in self.congress_journal() if t == "import.rows"]
        self.assertEqual(batch["columns"], ["org", "term", "ordinal", "kind", "status", "planned",
                                            "held", "held_end"])
        self.assertEqual(batch["added"][2], ["LS-TP-VT", "2020-2025", 10, "delegates", "held",
                                             "2020-05-01", "2020-05-05", "2020-05-06"])
        before = self.snapshot()
        r = self.js("import", path, "--as", "congresses")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (0, 0, 4))
        after = self.snapshot()
        new_events = after.pop("events")[len(before.pop("events")):]
        self.assertEqual([e[2] for e in new_events], ["import.completed"], new_events)
        after.pop("sqlite_sequence"), before.pop("sqlite_sequence")
        self.assertEqual(after, before)

    def test_a_batch_of_congresses_lands_and_a_known_one_updates_with_before_and_after(self):
        cells = "".join(f"LS-TP-DN-{i},Chi bộ {i},cell,LS-TP-DN,,12\n" for i in range(100))
        self.ok("import", self.write("o.csv", ORGS + cells), "--as", "orgs")
        rows = "".join(f"LS-TP-DN-{i},,I,,{'held' if i % 3 else 'preparing'},2020-03-01,"
                       f"{'2020-03-02' if i % 3 else ''},\n" for i in range(100))
        head = "org,term,ordinal,kind,status,planned,held,held_end\n"
        r = self.js("import", self.write("c.csv", head + rows), "--as", "congresses")
        self.assertEqual((r["inserted"], r["updated"]), (100, 0))
        self.ok("check", "rollups")
        level = self.js("status", "LS-TP-DN")["reports"][0]["levels"][0]
        self.assertEqual((level["level"], level["total"], level["held"]), ("cell", 100, 66))
        known = self.congress_journal()[-1][0]
        # LS-TP-DN-0 is held now, LS-TP-DN-1 gets another date; the rest are as they were
        edited = rows.replace("LS-TP-DN-0,,I,,preparing,2020-03-01,,",
                              "LS-TP-DN-0,,I,,held,2020-03-01,2020-05-20,")
        edited = edited.replace("LS-TP-DN-1,,I,,held,2020-03-01,2020-03-02,",
                                "LS-TP-DN-1,,II,,held,2020-03-01,2020-03-03,2020-03-04")
        r = self.js("import", self.write("c2.csv", head + edited), "--as", "congresses")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (0, 2, 98))
        self.ok("check", "rollups")
        level = self.js("status", "LS-TP-DN")["reports"][0]["levels"][0]
        self.assertEqual(level["held"], 67)
        events = self.congress_journal(known)
        self.assertEqual([t for _, t, _ in events], ["congress.updated", "congress.updated"])
        d0, d1 = events[0][2], events[1][2]
        self.assertEqual((d0["code"], d0["before"]["status"], d0["after"]["status"],
                          d0["before"]["held"], d0["after"]["held"]),
                         ("LS-TP-DN-0", "preparing", "held", None, "2020-05-20"))
        self.assertEqual((d1["before"]["ordinal"], d1["after"]["ordinal"], d1["after"]["held_end"]),
                         (1, 2, "2020-03-04"))

    def test_congress_errors_name_file_row_and_column_and_change_nothing(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("import", self.write("c.csv", self.CONGRESSES), "--as", "congresses")
        head = "org,term,ordinal,kind,status,planned,held,held_end\n"
        cases = [
            ("NOPE,,1,,planned,,,", "row 2, column 1 (org): unknown organisation 'NOPE'"),
            ("LS-TP-VT,1990-1995,1,,planned,,,", "row 2, column 2 (term): no term '1990-1995'"),
            ("LS-TP-VT,,IIII,,planned,,,", "row 2, column 3 (ordinal): ordinal 'IIII' is not a Roman"),
            ("LS-TP-VT,,1,all,planned,,,",
             "row 2, column 4 (kind): kind 'all' is not 'delegates' or 'members'"),
            ("LS-TP-VT,,1,members,held,,2020-05-05,",
             "row 2, column 4 (kind): the congress of LS-TP-VT is a delegates congress"),
            ("LS-TP-VT,,1,,done,,,", "row 2, column 5 (status): 'done' is not planned, preparing"),
            ("LS-TP-DN,,1,,held,2020-05-01,,",
             "row 2, column 7 (held): a held congress needs the date it was held"),
            ("LS-TP-DN,,1,,preparing,,2020-05-01,",
             "row 2, column 5 (status): held is given, so status must be held"),
            ("LS-TP-DN,,1,,planned,2020-02-30,,",
             "row 2, column 6 (planned): date '2020-02-30' is not a date"),
            ("LS-TP-DN,,1,,held,,2020-06-01,",
             "row 2, column 7 (held): cannot mark a congress held on 2020-06-01: today is 2020-05-22"),
            ("LS-TP-DN,,1,,held,,2020-05-02,2020-05-01",
             "row 2, column 8 (held_end): the congress ends (2020-05-01) before it starts"),
        ]
        for row, says in cases:
            path = self.write("bad.csv", head + row + "\n")
            with self.subTest(says=says):
                self.refused("import", path, "--as", "congresses", code=64, says=f"{path}: {says}")
        # a new congress needs its ordinal, as `congress plan` says
        self.ok("org", "add", "LS-CL", "Huyện Cao Lộc", "--level", "district", "--parent", "LS")
        self.refused("import", self.write("n.csv", "org,status\nLS-CL,planned\n"),
                     "--as", "congresses", says="row 2: a congress needs its ordinal (e.g. VII)")
        # a bad last row after full batches of new congresses: nothing lands
        cells = "".join(f"LS-TP-DN-{i},Chi bộ {i},cell,LS-TP-DN,,12\n" for i in range(70))
        self.ok("import", self.write("o2.csv", ORGS + cells), "--as", "orgs")
        rows = "".join(f"LS-TP-DN-{i},,I,,planned,,,\n" for i in range(70))
        self.refused("import", self.write("b.csv", head + rows + "LS-TP-DN-1,,I,,held,,,\n"),
                     "--as", "congresses", says="row 72, column 7 (held): a held congress needs")

    def test_the_cli_the_importer_and_lua_refuse_a_bad_value_in_the_same_words(self):
        """One rule in one place: a level that is only part of a word, a year 0500, a done_on
        after today and a budget past its bound are refused by the CLI, by import-csv (through
        the host's check, ABI 1.2) and by the Lua API, each time in the engine's own words."""
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("congress", "plan", "LS-TP", "XXII", "--start", "2020-08-10")
        level = "level 'ince' is not one of national, province, district, grassroots, cell"
        year = "date '0500-01-01' is not a date"
        future = "cannot mark done on 2020-06-01: today is 2020-05-22"
        budget = "budget 9223372036854775807 is not between 0 and 1000000000000000"
        self.refused("org", "add", "X1", "X", "--level", "ince", says=level)
        self.refused("work", "add", "LS-TP", "T", "--group", "G", "--due", "0500-01-01",
                     says="due " + year)
        self.refused("work", "add", "LS-TP", "T", "--group", "G", "--budget",
                     "9223372036854775807", says=budget)
        wid = self.js("work", "add", "LS-TP", "T", "--group", "G")["id"]
        self.refused("work", "done", str(wid), "--on", "2020-06-01", says=future)
        head = "org,group,title,due,budget,status,done_on\n"
        for name, content, says in [
                ("l.csv", "code,name,level\nX1,X,ince\n", "(level): " + level),
                ("y.csv", head + "LS-TP,G,T2,0500-01-01,,,\n", "(due): " + year),
                ("f.csv", head + "LS-TP,G,T2,,,done,2020-06-01\n", "(done_on): " + future),
                ("b.csv", head + "LS-TP,G,T2,,9223372036854775807,,\n", "(budget): " + budget)]:
            with self.subTest(says=says):
                self.refused("import", self.write(name, content), "--as",
                             "orgs" if name == "l.csv" else "work-items", says=says)
        pkg = os.path.join(self.dir, "pkg")
        os.mkdir(pkg)
        with open(os.path.join(pkg, "init.lua"), "w") as f:
            f.write('convene.on("plugin.try", function()\n'
                    '  local function try(fn, ...) local _, e = pcall(fn, ...); convene.log(e) end\n'
                    '  try(convene.add_org, {code = "X1", name = "X", level = "ince", parent = "R"})\n'
                    '  try(convene.add_work, {org = "R", title = "T", group = "G", due = "0500-01-01"})\n'
                    '  try(convene.add_work, {org = "R", title = "T", group = "G",'
                    ' budget = 9223372036854775807})\n'
                    '  try(convene.done_work, convene.add_work{org = "R", title = "T", group = "G"},'
                    ' "2020-06-01")\n'
                    'end)\n')
        scenario = os.path.join(self.dir, "s.lua")
        with open(scenario, "w") as f:
            f.write('return { start = "2020-05-22T09:00", finish = "2020-05-23", org = "R",'
                    ' setup = {{"org", "add", "R", "R", "--level", "district"},'
                    ' {"congress", "plan", "R", "XXII", "--start", "2020-08-10"}},'
                    ' steps = {{at = "2020-05-22T10:00", emit = "plugin.try", org = "R"}},'
                    f' expect = {{"{level}", "due {year}", "{budget}", "{future}"}} }}\n')
        r = self.run_cv("script", "test", pkg, scenario)
        self.assertEqual(r.code, 0, r.out + r.err)

    PEOPLE_HEAD = "code,name,born,gender,ethnicity,org,titles\n"

    def people_file(self, n=100, change=None):
        """n members of LS-TP-VT and LS-TP-DN; change(i, cells) may edit row i's cells."""
        rows = []
        for i in range(n):
            cells = [f"P{i:04d}", f"Hoàng Thị Thu {i}", f"19{50 + i % 50}-0{1 + i % 9}-1{i % 9}",
                     "female" if i % 2 else "male", "Tày" if i % 3 else "Kinh",
                     "LS-TP-VT" if i % 4 else "LS-TP-DN", ""]
            if change:
                change(i, cells)
            rows.append(",".join(cells) + "\n")
        return self.write("people.csv", self.PEOPLE_HEAD + "".join(rows))

    def people(self):
        con = sqlite3.connect(self.db)
        try:
            return {r[0]: r[1:] for r in con.execute(
                "SELECT p.code, p.name, p.born, p.gender, p.ethnicity, o.code "
                "FROM people p LEFT JOIN orgs o ON o.id = p.org_id")}
        finally:
            con.close()

    def test_people_land_whole_and_reimport_changes_nothing(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        nfd = unicodedata.normalize("NFD", "Nông Văn Dền")

        def names(i, cells):
            if i == 7:
                cells[1] = nfd  # typed with combining marks: stored as NFC
        indexes = self.index_sql()
        path = self.people_file(100, names)  # three statements of 32 rows, then 4 one by one
        r = self.js("import", path, "--as", "people")
        self.assertEqual((r["rows"], r["inserted"], r["updated"], r["unchanged"]), (100, 100, 0, 0))
        self.assertEqual(self.index_sql(), indexes)  # only an import of orgs touches them
        people = self.people()
        self.assertEqual(len(people), 100)
        self.assertEqual(people["P0007"][0], unicodedata.normalize("NFC", "Nông Văn Dền"))
        self.assertEqual(people["P0044"], ("Hoàng Thị Thu 44", "1994-09-18", "male", "Tày",
                                           "LS-TP-DN"))
        con = sqlite3.connect(self.db)
        try:  # written while the store's checks stood aside: the store's CHECK holds all the same
            self.assertEqual(con.execute("SELECT count(*) FROM events WHERE type = 'import.rows' "
                                         "AND json_valid(data)").fetchone()[0], 2)
            self.assertEqual(con.execute("SELECT count(*) FROM events "
                                         "WHERE NOT json_valid(data)").fetchone()[0], 0)
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            con.close()
        before = self.snapshot()["people"]
        r = self.js("import", path, "--as", "people")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (0, 0, 100))
        self.assertEqual(self.snapshot()["people"], before)

    def test_people_upsert_changes_what_differs_and_keeps_what_is_left_empty(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("import", self.people_file(100), "--as", "people")

        def edits(i, cells):
            if i == 5:
                cells[3] = "male"  # was female
            if i == 66:
                cells[2] = cells[4] = cells[5] = ""  # born, ethnicity, org left empty: kept
            if i == 70:
                cells[5] = "LS-TP-VT" if cells[5] == "LS-TP-DN" else "LS-TP-DN"
        old = self.people()
        r = self.js("import", self.people_file(101, edits), "--as", "people")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (1, 2, 98))
        people = self.people()
        self.assertEqual(people["P0005"][2], "male")
        self.assertEqual(people["P0066"], old["P0066"])
        self.assertNotEqual(people["P0070"][4], old["P0070"][4])
        self.assertIn("P0100", people)

    def journal(self, after=0):
        con = sqlite3.connect(self.db)
        try:
            return [(r[0], r[1], json.loads(r[2]), r[3]) for r in con.execute(
                "SELECT id, type, data, actor_via FROM events WHERE id > ? AND type IN "
                "('import.rows', 'person.updated', 'org.updated') ORDER BY id", (after,))]
        finally:
            con.close()

    def test_people_journal_names_each_new_row_and_each_change_before_and_after(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("import", self.people_file(100), "--as", "people")
        first = self.journal()
        batches = [d for _, t, d, _ in first if t == "import.rows" and d["kind"] == "person"]
        self.assertEqual(len(batches), 1)
        cols = batches[0]["columns"]
        added = {r[0]: dict(zip(cols, r)) for r in batches[0]["added"]}
        self.assertEqual(len(added), 100)
        self.assertEqual(added["P0044"], {"code": "P0044", "name": "Hoàng Thị Thu 44",
                                          "born": "1994-09-18", "gender": "male",
                                          "ethnicity": "Tày", "org": "LS-TP-DN", "titles": ""})
        self.assertTrue(all(via.startswith("import ") for *_, via in first))

        def edits(i, cells):
            if i == 5:
                cells[3] = "male"  # was female
            if i == 70:
                cells[5] = "LS-TP-VT" if cells[5] == "LS-TP-DN" else "LS-TP-DN"
        # P0100 is new in the last rows; the full batches hold only known codes
        self.ok("import", self.people_file(101, edits), "--as", "people")
        second = self.journal(first[-1][0])
        self.assertEqual([t for _, t, _, _ in second],
                         ["person.updated", "person.updated", "import.rows"])
        p5 = second[0][2]
        self.assertEqual((p5["code"], p5["before"]["gender"], p5["after"]["gender"]),
                         ("P0005", "female", "male"))
        self.assertEqual(p5["before"]["name"], p5["after"]["name"])
        self.assertNotEqual(second[1][2]["before"]["org"], second[1][2]["after"]["org"])
        self.assertEqual([r[0] for r in second[2][2]["added"]], ["P0100"])

    def test_a_batch_partly_known_journals_only_its_new_rows_as_added(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("import", self.people_file(10), "--as", "people")
        known = self.journal()[-1][0]

        def fresh(i, cells):
            if i >= 10:
                cells[0] = f"N{i:04d}"  # codes not yet in the store, among ten known ones
        r = self.js("import", self.people_file(200, fresh), "--as", "people")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (190, 0, 10))
        events = self.journal(known)
        self.assertEqual({t for _, t, _, _ in events}, {"import.rows"})
        codes = [row[0] for _, _, d, _ in events for row in d["added"]]
        self.assertEqual(codes, [f"N{i:04d}" for i in range(10, 200)])

    def test_people_errors_name_row_and_column_and_change_nothing(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        self.ok("import", self.people_file(10), "--as", "people")
        cases = [
            (lambda i, c: c.__setitem__(5, "LS-XX") if i == 69 else None,
             "row 71, column 6 (org): unknown organisation 'LS-XX'"),
            (lambda i, c: c.__setitem__(3, "nam") if i == 40 else None,
             "row 42, column 4 (gender): 'nam' is not male or female"),
            (lambda i, c: c.__setitem__(2, "1970-02-30") if i == 99 else None,
             "row 101, column 3 (born): date '1970-02-30' is not a date"),
            (lambda i, c: c.__setitem__(1, "x" * 600) if i == 3 else None,
             "row 5, column 2 (name): longer than 511 bytes"),
        ]
        for change, says in cases:
            with self.subTest(says=says):
                self.refused("import", self.people_file(100, change), "--as", "people", code=64,
                             says=says)

    def test_a_row_the_store_refuses_inside_a_batch_is_named(self):
        self.ok("import", self.write("o.csv", ORGS), "--as", "orgs")
        con = sqlite3.connect(self.db)
        con.execute("CREATE TRIGGER locked BEFORE INSERT ON people WHEN NEW.code = 'P0040' "
                    "BEGIN SELECT RAISE(ABORT, 'hồ sơ P0040 đang bị khóa'); END")
        con.commit()
        con.close()
        self.refused("import", self.people_file(100), "--as", "people", code=64,
                     says="row 42: the store refused the row: store: hồ sơ P0040 đang bị khóa")
        self.assertEqual(self.people(), {})

    def test_files_it_cannot_or_must_not_read_are_refused(self):
        self.refused("import", os.path.join(self.dir, "none.csv"), "--as", "orgs",
                     says="cannot read")
        self.refused("import", self.dir, "--as", "orgs", says="is not a regular file")
        self.ok("plugin", "config", "import-csv", "max_mb", "1")
        rows = "".join(f"P{i},Đảng bộ xã số {i},province,,,{i}\n" for i in range(40000))
        big = self.write("big.csv", "code,name,level,parent,kind,members\n" + rows)
        self.assertGreater(os.path.getsize(big), 1024 * 1024)
        self.refused("import", big, "--as", "orgs", says="is larger than max_mb (1 MiB)")
        self.refused("import", self.write("e.csv", ORGS), "--as", "orgs", "--encoding", "latin9",
                     says="unknown encoding 'latin9' (utf-8 or cp1258)")

    def test_disabled_importer_is_refused_with_what_to_do(self):
        self.ok("plugin", "disable", "import-csv")
        self.refused("import", self.write("o.csv", ORGS), "--as", "orgs", code=78,
                     says="enable it with 'convene plugin enable import-csv'")

    def test_progress_bar_on_a_terminal(self):
        rows = "".join(f"P{i},Đảng bộ xã số {i} thuộc huyện,province,,,{i}\n" for i in range(40000))
        path = self.write("big.csv", "code,name,level,parent,kind,members\n" + rows)
        master, slave = pty.openpty()
        proc = subprocess.run([BIN, "import", path, "--as", "orgs"], env=self.env(),
                              stdout=subprocess.PIPE, stderr=slave, timeout=120)
        os.close(slave)
        seen = b""
        try:
            while chunk := os.read(master, 65536):
                seen += chunk
        except OSError:
            pass
        os.close(master)
        self.assertEqual(proc.returncode, 0)
        self.assertIn(b"importing orgs [", seen)
        self.assertIn(b"100%", seen)


if __name__ == "__main__":
    main()
