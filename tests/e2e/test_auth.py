"""test_auth.py: accounts, roles over a subtree and the actor on every change, through the CLI.
Who the CLI acts as (--as, $CONVENE_ACCOUNT, the bootstrap admin), refusals with status 77 that
leave the store unchanged, the store created 0600, tokens shown once, grants ended not deleted,
and the audit of who did what."""
import os
import stat
import subprocess
import tempfile

from harness import BIN, EX_NOPERM, StoreTest, main


class AuthTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.pw = os.path.join(self.dir, "pw")
        with open(self.pw, "w") as f:
            f.write("mật khẩu quản trị\n")
        self.ok("account", "add", "boss", "Quản trị", "--password-file", self.pw)
        self.ok("grant", "add", "boss", "admin")
        self.as_("boss", "org", "add", "TN", "Tỉnh ủy Thái Nguyên", "--level", "province")
        self.as_("boss", "org", "add", "TN-TP", "Thành ủy Thái Nguyên", "--level", "district",
                 "--parent", "TN")
        self.as_("boss", "org", "add", "MK", "Phường Minh Khai", "--level", "grassroots",
                 "--parent", "TN-TP")
        self.as_("boss", "org", "add", "BK", "Tỉnh ủy Bắc Kạn", "--level", "province")
        self.as_("boss", "org", "add", "BK-TP", "Thành ủy Bắc Kạn", "--level", "district",
                 "--parent", "BK")
        self.as_("boss", "account", "add", "office-tp", "Văn phòng Thành ủy")
        self.as_("boss", "grant", "add", "office-tp", "office", "--org", "TN-TP")

    def as_(self, login, *args):
        return self.ok("--as", login, *args)

    def test_the_store_and_its_wal_are_private(self):
        import sqlite3
        con = sqlite3.connect(self.db)  # holds the WAL open while convene writes
        con.execute("SELECT count(*) FROM events").fetchone()
        self.as_("boss", "org", "set", "MK", "--members", "12")
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE(os.stat(self.db + suffix).st_mode)
            self.assertEqual(mode, 0o600, f"{self.db}{suffix} is {oct(mode)}")
        con.close()

    def test_once_an_admin_exists_the_owner_must_name_an_account(self):
        self.refused("org", "add", "X", "Xã", "--level", "grassroots", "--parent", "MK",
                     code=EX_NOPERM, says="has no account here")
        self.refused("--as", "nobody", "org", "show", "TN", code=EX_NOPERM, says="no account")

    def test_a_role_acts_inside_its_subtree_and_nowhere_else(self):
        self.as_("office-tp", "org", "add", "MK-1", "Chi bộ khu 1", "--level", "cell",
                 "--parent", "MK")
        self.refused("--as", "office-tp", "org", "add", "BK-1", "Phường X", "--level",
                     "grassroots", "--parent", "BK-TP", code=EX_NOPERM, says="permission denied")
        self.refused("--as", "office-tp", "org", "set", "TN", "--members", "5", code=EX_NOPERM)
        self.refused("--as", "office-tp", "clock", "set", "2020-01-01", code=EX_NOPERM)
        self.refused("--as", "office-tp", "jobs", "list", code=EX_NOPERM, says="needs admin")
        # CONVENE_ACCOUNT names the account as --as does.
        env = self.env()
        env["CONVENE_ACCOUNT"] = "office-tp"
        r = subprocess.run([BIN, "org", "set", "BK", "--members", "3"], capture_output=True,
                           text=True, env=env)
        self.assertEqual(r.returncode, EX_NOPERM, r.stderr)

    def test_a_secretary_acts_for_its_own_organisation_only(self):
        self.as_("boss", "account", "add", "bt-mk", "Bí thư Minh Khai")
        self.as_("boss", "grant", "add", "bt-mk", "secretary", "--org", "MK")
        self.as_("boss", "congress", "plan", "MK", "VIII")
        self.as_("bt-mk", "congress", "held", "MK", "--on", "2020-05-20", "--override", "thử")
        self.refused("--as", "bt-mk", "congress", "plan", "TN-TP", "XX", code=EX_NOPERM)

    def test_a_refused_multi_step_command_changes_nothing(self):
        self.as_("boss", "congress", "plan", "MK", "VIII")
        self.as_("boss", "scheme", "contents", "MK", "4")
        for i in range(1, 6):
            self.as_("boss", "person", "add", f"P{i}", f"Người {i}", "--org", "MK")
        e = self.js("--as", "boss", "election", "create", "MK", "committee", "--seats", "4",
                    "--candidates", "P1,P2,P3,P4")
        self.refused("--as", "boss", "election", "candidates", str(e["id"]), "--add", "P5",
                     "--remove", "NOBODY")

    def test_grants_end_and_stay_in_the_history(self):
        g = self.js("--as", "boss", "grant", "list", "office-tp")
        self.as_("boss", "grant", "end", str(g[0]["id"]))
        self.assertEqual(self.js("--as", "boss", "grant", "list", "office-tp"), [])
        history = self.js("--as", "boss", "grant", "list", "office-tp", "--history")
        self.assertEqual(len(history), 1)
        self.assertIsNotNone(history[0]["ends"])
        self.refused("--as", "office-tp", "org", "set", "MK", "--members", "5", code=EX_NOPERM)

    def test_a_token_is_shown_once_and_never_stored(self):
        t = self.js("--as", "boss", "account", "token", "add", "office-tp", "báo cáo")
        self.assertTrue(t["token"].startswith("cvt_"))
        listed = self.js("--as", "boss", "account", "token", "list", "office-tp")
        self.assertNotIn("token", listed[0])
        with open(self.db, "rb") as f:
            self.assertNotIn(t["token"].encode(), f.read())
        self.as_("boss", "account", "token", "revoke", "office-tp", "báo cáo")

    def test_the_audit_names_who_did_what_where(self):
        self.as_("office-tp", "org", "set", "MK", "--members", "321")
        rows = self.js("--as", "boss", "audit", "--org", "TN-TP", "--type", "org.updated")
        self.assertEqual([(r["actor_kind"], r["actor"], r["org"]) for r in rows],
                         [("account", "office-tp", "MK")])
        self.refused("--as", "office-tp", "audit", code=EX_NOPERM)
        self.as_("boss", "plugin", "enable", "report-csv")
        out = os.path.join(self.dir, "audit.csv")
        self.as_("boss", "audit", "--org", "TN-TP", "--format", "csv", "--output", out)
        with open(out, encoding="utf-8-sig") as f:
            sheet = f.read()
        self.assertIn("office-tp", sheet)
        self.assertIn('""members"":321', sheet)
        boot = self.js("--as", "boss", "audit", "--type", "account.added")
        self.assertTrue(boot[0]["actor"].startswith("owner:"), boot[0])

    def test_a_plugin_secret_is_sealed_under_a_key_beside_the_store(self):
        secret = "bí-mật-webhook-của-văn-phòng"
        r = self.as_("boss", "plugin", "config", "notify-webhook", "secret", secret)
        self.assertNotIn(secret, r.out)
        self.assertEqual(stat.S_IMODE(os.stat(self.db + ".key").st_mode), 0o600)
        for suffix in ("", "-wal"):
            if os.path.exists(self.db + suffix):
                with open(self.db + suffix, "rb") as f:
                    self.assertNotIn(secret.encode(), f.read())
        info = self.js("--as", "boss", "plugin", "info", "notify-webhook")
        self.assertNotIn(secret, str(info))
        self.refused("--as", "office-tp", "plugin", "info", "notify-webhook", code=EX_NOPERM)

    def test_an_import_journals_each_row_it_writes(self):
        csv = os.path.join(self.dir, "orgs.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("code,name,level,parent\nMK-2,Chi bộ khu 2,cell,MK\nMK,Phường Minh Khai mới,"
                    "grassroots,TN-TP\n")
        self.as_("boss", "plugin", "enable", "import-csv")
        self.as_("boss", "import", csv, "--as", "orgs")
        rows = self.js("--as", "boss", "audit", "--org", "MK")
        # New rows are journaled in batches (import.rows) naming each row's values.
        added = [r for r in rows if r["type"] == "import.rows"]
        self.assertEqual(len(added), 1)
        cols = added[0]["data"]["columns"]
        row = dict(zip(cols, added[0]["data"]["added"][0]))
        self.assertEqual((added[0]["actor"], row["code"], row["parent"]), ("boss", "MK-2", "MK"))
        self.assertTrue(added[0]["via"].startswith("import "), added[0])
        updated = [r for r in rows if r["type"] == "org.updated"][-1]
        self.assertEqual(updated["data"]["before"]["name"], "Phường Minh Khai")
        self.assertEqual(updated["data"]["after"]["name"], "Phường Minh Khai mới")

    def test_an_account_speaks_its_language_and_the_cli_its_locales(self):
        self.as_("boss", "account", "set", "office-tp", "--lang", "en")
        self.assertEqual(self.js("--as", "boss", "account", "show", "office-tp")["lang"], "en")
        self.assertIn("pages in English", self.as_("boss", "account", "show", "office-tp").out)
        changed = self.js("--as", "boss", "audit", "--type", "account.updated")[-1]["data"]
        self.assertEqual((changed["before"], changed["after"]), ({"lang": "vi"}, {"lang": "en"}))
        self.refused("--as", "boss", "account", "set", "office-tp", "--lang", "fr",
                     says="the language must be 'vi' or 'en', not 'fr'")
        # The CLI's refusals: English by default, Vietnamese when the locale names vi.
        args = ("--as", "office-tp", "congress", "plan", "MK", "VIII", "--start", "2020-06-02",
                "--end", "2020-06-01")
        self.refused(*args, says="the congress ends (2020-06-01) before it starts (2020-06-02)")
        env = self.env()
        env["CONVENE_LANG"] = "vi"
        r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(r.stderr.strip(), "convene: đại hội kết thúc (2020-06-01) trước khi "
                         "bắt đầu (2020-06-02)")

    def test_the_clock_is_an_admin_change_and_journaled(self):
        self.as_("boss", "clock", "set", "2020-06-01T08:00")
        ev = self.js("--as", "boss", "journal", "--type", "clock.set")
        self.assertEqual(ev[0]["data"]["after"]["clock"], "2020-06-01T08:00")
        self.as_("boss", "clock", "real")


class InitTest(StoreTest):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cv-e2e-")
        self.db = os.path.join(self.dir, "convene.db")

    def test_init_makes_the_first_admin_from_a_password_file(self):
        pw = os.path.join(self.dir, "pw")
        with open(pw, "w") as f:
            f.write("một mật khẩu dài\n")
        self.ok("init", "--admin", "quantri", "--password-file", pw)
        shown = self.js("--as", "quantri", "account", "show", "quantri")
        self.assertTrue(shown["password"])
        self.assertEqual([g["role"] for g in shown["grants"]], ["admin"])
        # The bootstrap admin is gone once an admin exists.
        self.refused("org", "show", "TN", code=EX_NOPERM)

    def test_a_short_password_is_refused_and_changes_nothing(self):
        pw = os.path.join(self.dir, "pw")
        with open(pw, "w") as f:
            f.write("ngắn\n")
        self.ok("init")
        self.refused("init", "--admin", "quantri", "--password-file", pw, says="password")


if __name__ == "__main__":
    main()
