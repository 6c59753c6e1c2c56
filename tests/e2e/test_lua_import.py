"""test_lua_import.py: what a Lua package's hooks receive from `convene import`. An import journals
its new rows in batches (import.rows); the daemon hands each row in the package's subtree to hooks
as the event the one-at-a-time command journals (an organisation as `org add`'s org.added, a
congress as `congress plan`'s congress.planned), with the same data, once per row; a re-imported
changed congress is one congress.updated with its values before and after."""
import json
import os
import signal
import sqlite3
import time

from harness import Daemon, StoreTest, main

# Every hook queues one notification whose subject is the event's type alone (the same for every
# row, so a row needs a key of its own) and whose body is the event's organisation and data as JSON.
HOOKS = """local function enc(v)
  if type(v) == "table" then
    local keys, out = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do out[#out + 1] = string.format("%q:%s", k, enc(v[k])) end
    return "{" .. table.concat(out, ",") .. "}"
  elseif type(v) == "string" then
    return string.format("%q", v)
  end
  return tostring(v)
end
for _, t in ipairs{"org.added", "congress.planned", "congress.added", "congress.held",
                   "congress.updated"} do
  convene.on(t, function(ev)
    convene.notify{to = "office@example.vn", subject = ev.type,
                   body = enc{org = ev.org, data = ev.data}}
  end)
end
"""

HEAD = "org,term,ordinal,kind,status,planned,held,held_end\n"
CONGRESSES = (HEAD +
              "LS-TP-B,,X,,planned,2020-06-01,,\n"
              "LS-TP-C,,X,,held,2020-05-01,2020-05-05,2020-05-06\n"
              "BK-X,,X,,planned,2020-06-01,,\n"
              "LS-TP,2020-2025,XXII,,preparing,2020-07-15,,\n")


class LuaImportTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS", "Tinh Lang Son", "--level", "province")
        self.ok("org", "add", "LS-TP", "Thanh pho Lang Son", "--level", "district",
                "--parent", "LS")
        for code in ("A", "B", "C"):
            self.ok("org", "add", "LS-TP-" + code, "Phuong " + code, "--level", "grassroots",
                    "--parent", "LS-TP", "--kind", "ward", "--members", "300")
        self.ok("org", "add", "BK", "Tinh Bac Kan", "--level", "province")
        self.ok("org", "add", "BK-X", "Huyen X", "--level", "district", "--parent", "BK")
        self.ok("plugin", "enable", "import-csv")
        pkg = os.path.join(self.dir, "city")
        os.mkdir(pkg)
        with open(os.path.join(pkg, "init.lua"), "w") as f:
            f.write(HOOKS)
        self.ok("script", "add", pkg, "--org", "LS-TP")
        self.daemon = Daemon(self, "--poll-ms", "50")
        self.daemon.wait_for(lambda e: e["msg"] == "package loaded")

    def assert_same_but(self, by_hand, imported, keys):
        """The data of a row added by hand and of one imported: the same keys, and the same
        values but for keys (which say whose row it is)."""
        self.assertEqual(sorted(by_hand), sorted(imported))
        for key in keys:
            by_hand.pop(key), imported.pop(key)
        self.assertEqual(by_hand, imported)

    def caught_up(self):
        """Waits (bounded, polling the store) until the package has handled every event."""
        end = time.monotonic() + 60
        while self.js("script", "status", "city")[0]["lag"] != 0:
            self.assertLess(time.monotonic(), end, "the package did not catch up")
            time.sleep(0.05)

    def hooked(self, after=0):
        """(event type, {"org", "data"}) of each notification the hooks queued, in order."""
        con = sqlite3.connect(self.db)
        try:
            return [(r[0], json.loads(r[1])) for r in con.execute(
                "SELECT subject, body FROM outbox WHERE id > ? ORDER BY id", (after,))]
        finally:
            con.close()

    def test_each_imported_congress_reaches_hooks_as_congress_plan_journals_it(self):
        self.ok("congress", "plan", "LS-TP-A", "X", "--start", "2020-06-01")
        r = self.js("import", self.write_file("c.csv", CONGRESSES), "--as", "congresses")
        self.assertEqual((r["inserted"], r["updated"]), (4, 0))
        self.caught_up()
        seen = self.hooked()
        # once per row in the package's subtree (BK-X is outside it), in file order, and never
        # as congress.added (no command journals that) nor, for the held one, as congress.held
        self.assertEqual([(t, h["org"]) for t, h in seen],
                         [("congress.planned", "LS-TP-A"), ("congress.planned", "LS-TP-B"),
                          ("congress.planned", "LS-TP-C"), ("congress.planned", "LS-TP")])
        rows = {h["org"]: h["data"] for _, h in seen}
        self.assertEqual({org: (d["org"], d["term"], d["ordinal"], d["numeral"], d["status"],
                                d["planned_start"], d.get("actual_start"), d.get("actual_end"))
                          for org, d in rows.items()},
                         {"LS-TP-A": ("LS-TP-A", "2020-2025", 10, "X", "planned", "2020-06-01",
                                      None, None),
                          "LS-TP-B": ("LS-TP-B", "2020-2025", 10, "X", "planned", "2020-06-01",
                                      None, None),
                          "LS-TP-C": ("LS-TP-C", "2020-2025", 10, "X", "held", "2020-05-01",
                                      "2020-05-05", "2020-05-06"),
                          "LS-TP": ("LS-TP", "2020-2025", 22, "XXII", "preparing", "2020-07-15",
                                    None, None)})
        # the same congress planned by hand and imported: the same data but for whose it is
        self.assert_same_but(rows["LS-TP-A"], rows["LS-TP-B"], ("id", "org", "org_name"))

    def test_a_reimported_changed_congress_is_one_congress_updated(self):
        path = self.write_file("c.csv", CONGRESSES)
        self.ok("import", path, "--as", "congresses")
        self.caught_up()
        last = len(self.hooked())
        # the same file again changes nothing and reaches no hook
        self.ok("import", path, "--as", "congresses")
        edited = CONGRESSES.replace("LS-TP-B,,X,,planned,2020-06-01,,",
                                    "LS-TP-B,,X,,held,2020-06-01,2020-05-20,")
        r = self.js("import", self.write_file("c2.csv", edited), "--as", "congresses")
        self.assertEqual((r["inserted"], r["updated"], r["unchanged"]), (0, 1, 3))
        self.caught_up()
        [(kind, hook)] = self.hooked(last)
        self.assertEqual((kind, hook["org"], hook["data"]["code"]),
                         ("congress.updated", "LS-TP-B", "LS-TP-B"))
        before, after = hook["data"]["before"], hook["data"]["after"]
        self.assertEqual((before["status"], after["status"], after["held"], after["held_end"]),
                         ("planned", "held", "2020-05-20", "2020-05-20"))
        self.assertNotIn("held", before)  # null in the journal: no key in Lua
        self.assertEqual((after["org"], after["term"], after["ordinal"]),
                         ("LS-TP-B", "2020-2025", 10))

    def test_each_imported_organisation_reaches_hooks_as_org_add_journals_it(self):
        self.ok("org", "add", "LS-TP-D", "Phuong D", "--level", "grassroots", "--parent", "LS-TP",
                "--kind", "ward", "--members", "300")
        orgs = ("code,name,level,parent,kind,members\n"
                "LS-TP-E,Phuong E,grassroots,LS-TP,ward,300\n"
                "BK-X-1,Xa 1,grassroots,BK-X,commune,120\n"
                "LS-TP-F,Phuong F,grassroots,LS-TP,,\n")
        r = self.js("import", self.write_file("o.csv", orgs), "--as", "orgs")
        self.assertEqual(r["inserted"], 3)
        self.caught_up()
        seen = self.hooked()
        self.assertEqual([(t, h["org"]) for t, h in seen],
                         [("org.added", "LS-TP-D"), ("org.added", "LS-TP-E"),
                          ("org.added", "LS-TP-F")])
        rows = {h["org"]: h["data"] for _, h in seen}
        self.assertEqual({org: (d["code"], d["name"], d["level"], d["parent"], d["members"])
                          for org, d in rows.items()},
                         {"LS-TP-D": ("LS-TP-D", "Phuong D", "grassroots", "LS-TP", 300),
                          "LS-TP-E": ("LS-TP-E", "Phuong E", "grassroots", "LS-TP", 300),
                          "LS-TP-F": ("LS-TP-F", "Phuong F", "grassroots", "LS-TP", 0)})
        self.assert_same_but(rows["LS-TP-D"], rows["LS-TP-E"], ("id", "code", "name"))

    def tearDown(self):
        if self.daemon.proc.poll() is None:
            self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)
        super().tearDown()


if __name__ == "__main__":
    main()
