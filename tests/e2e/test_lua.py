"""test_lua.py: Lua packages from the command line and in the daemon: registering refuses a package
that does not load (store unchanged), status shows state and last error, check reports misuse of
the API, the shipped packages pass their rehearsals, the shipped Lua passes luacheck, and the
daemon hands events to hooks once and hot-reloads a changed package only when it loads."""
import os
import shutil
import signal
import sqlite3
import subprocess
import time

from harness import SOURCE, Daemon, StoreTest, main

SCRIPTS = os.path.join(SOURCE, "scripts")
HOOK = """convene.on("congress.held", function(ev)
  convene.notify{to = "office@example.vn", subject = "%s " .. ev.org}
end)
"""


class LuaTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district")
        self.ok("org", "add", "LS-TP-VT", "Phường Vĩnh Trại", "--level", "grassroots",
                "--parent", "LS-TP")
        self.ok("congress", "plan", "LS-TP-VT", "VIII", "--pilot", "yes")
        self.pkg = os.path.join(self.dir, "city")
        os.mkdir(self.pkg)
        self.write(HOOK % "held v1")

    def write(self, text):
        path = os.path.join(self.pkg, "init.lua")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    def outbox(self):
        con = sqlite3.connect(self.db)
        try:
            return [r[0] for r in con.execute("SELECT subject FROM outbox ORDER BY id")]
        finally:
            con.close()

    def test_add_list_and_status_show_the_package(self):
        self.ok("script", "add", self.pkg, "--org", "LS-TP")
        listed = self.js("script", "list")
        self.assertEqual([(p["name"], p["org"], p["state"]) for p in listed],
                         [("city", "LS-TP", "added")])
        status = self.js("script", "status", "city")
        self.assertEqual(status[0]["lag"], 0)

    def test_add_refuses_a_package_that_does_not_load(self):
        self.write("convene.on('congress.held', function() end\n")
        r = self.refused("script", "add", self.pkg, "--org", "LS-TP", says="init.lua:")
        self.assertIn("expected", r.err)

    def test_add_refuses_an_unknown_subtree(self):
        self.refused("script", "add", self.pkg, "--org", "NOPE", says="NOPE")

    def test_writes_while_loading_are_refused(self):
        self.write('convene.hold_congress{org = "LS-TP-VT", on = "2020-03-25"}\n')
        self.refused("script", "add", self.pkg, "--org", "LS-TP", says="only inside a hook")

    def test_check_reports_names_outside_the_api(self):
        self.write('convene.on("congres.held", function() convene.notfy{} end)\n')
        r = self.run_cv("script", "check", self.pkg, "--org", "LS-TP")
        self.assertEqual(r.code, 70, r.err)  # CV_ESCRIPT: EX_SOFTWARE
        self.assertIn("convene.notfy is not part of the API", r.out)
        self.assertIn("'congres.held'", r.out)

    def test_check_passes_the_shipped_packages(self):
        for code in ("TN", "BK-TP", "LS-TP"):
            self.ok("org", "add", code + "-X", "x", "--level", "province")
            r = self.run_cv("script", "check", os.path.join(SCRIPTS, "provinces", code),
                            "--org", code + "-X")
            # TN and the cities name their own codes: only load errors may differ by store.
            self.assertNotIn("not part of the API", r.out, r.out + r.err)

    def test_shipped_packages_pass_their_rehearsals(self):
        for code in ("TN", "BK-TP", "LS-TP"):
            pkg = os.path.join(SCRIPTS, "provinces", code)
            r = self.run_cv("script", "test", pkg, os.path.join(pkg, "scenarios", "term.lua"))
            self.assertEqual(r.code, 0, r.out[-2000:] + r.err)
            self.assertIn("0 missing", r.out)

    def test_lua_jobs_run_at_their_instants_in_a_rehearsal(self):
        """BK-TP's package: every Monday 08:00 while propaganda phase 2 runs (10 June to 7 August
        2020), and 7 days before the city congress of 5 August."""
        pkg = os.path.join(SCRIPTS, "provinces", "BK-TP")
        r = self.run_cv("script", "test", pkg, os.path.join(pkg, "scenarios", "term.lua"))
        self.assertEqual(r.code, 0, r.err)
        mondays = [ln[:16] for ln in r.out.splitlines() if "Nhắc việc thứ Hai" in ln]
        self.assertEqual(mondays, ["2020-06-15 08:00", "2020-06-22 08:00", "2020-06-29 08:00",
                                   "2020-07-06 08:00", "2020-07-13 08:00", "2020-07-20 08:00",
                                   "2020-07-27 08:00", "2020-08-03 08:00"])
        week = [ln[:16] for ln in r.out.splitlines() if "Còn 7 ngày" in ln]
        self.assertEqual(week, ["2020-07-29 08:00"])

    def test_a_package_replaces_the_allocation_method(self):
        """convene.elections.allocate with the package's own method (equal shares), beside the
        built-in largest remainder; a method that does not add up is refused with its sums."""
        scenario = os.path.join(self.dir, "alloc.lua")
        with open(scenario, "w") as f:
            f.write('return { start = "2020-03-01T08:00", finish = "2020-03-01", org = "R",'
                    ' setup = {{"org", "add", "R", "R", "--level", "district"},'
                    ' {"org", "add", "A", "A", "--level", "grassroots", "--parent", "R", "--members", "700"},'
                    ' {"org", "add", "B", "B", "--level", "grassroots", "--parent", "R", "--members", "200"},'
                    ' {"org", "add", "C", "C", "--level", "grassroots", "--parent", "R", "--members", "100"}},'
                    ' expect = {"A=4 chia đều", "B=3", "C=3", "lr A=7", "lr B=2", "lr C=1"} }\n')
        self.write("""local function equal(units, seats)
  local out, why = {}, {}
  for i, u in ipairs(units) do
    out[u.org] = seats // #units + (i <= seats % #units and 1 or 0)
    why[u.org] = "chia đều"
  end
  return out, why
end
local a = convene.elections.allocate{ org = "R", total = 12, ex_officio = 2, method = equal }
for _, u in ipairs(a.units) do convene.log(u.org .. "=" .. u.delegates .. " " .. u.why) end
local b = convene.elections.allocate{ org = "R", total = 12, ex_officio = 2 }
for _, u in ipairs(b.units) do convene.log("lr " .. u.org .. "=" .. u.delegates) end
""")
        r = self.run_cv("script", "test", self.pkg, scenario)
        self.assertEqual(r.code, 0, r.out + r.err)
        self.assertIn("0 missing", r.out)
        self.write('convene.elections.allocate{ org = "R", total = 12,'
                   ' method = function(units) return {1, 1, 1} end }\n')
        r = self.run_cv("script", "test", self.pkg, scenario)
        self.assertNotEqual(r.code, 0)
        self.assertIn("the method allocated 3 delegates, not 12", r.err)

    def test_a_rehearsal_with_a_missing_expectation_fails(self):
        scenario = os.path.join(self.dir, "s.lua")
        with open(scenario, "w") as f:
            f.write('return { start = "2020-03-01T08:00", finish = "2020-03-02", org = "R",'
                    ' setup = {{"org", "add", "R", "R", "--level", "district"}},'
                    ' expect = {"phase.started never"} }\n')
        r = self.run_cv("script", "test", self.pkg, scenario)
        self.assertEqual(r.code, 70)
        self.assertIn("MISSING: phase.started never", r.out)

    def test_shipped_lua_passes_luacheck(self):
        luacheck = shutil.which("luacheck")
        if not luacheck:
            self.skipTest("luacheck is not installed")
        r = subprocess.run([luacheck, "--no-color", "--config", os.path.join(SOURCE, ".luacheckrc"),
                            "scripts"], cwd=SOURCE, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:])

    def daemon(self):
        d = Daemon(self, "--poll-ms", "50")
        d.wait_for(lambda e: e["msg"] == "package loaded")
        return d

    def wait(self, predicate, what, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("timed out waiting for " + what)

    def test_daemon_runs_hooks_once_and_hot_reloads_only_a_clean_package(self):
        self.ok("script", "add", self.pkg, "--org", "LS-TP")
        d = self.daemon()
        self.ok("congress", "held", "LS-TP-VT", "--on", "2020-03-25")
        self.wait(lambda: self.outbox() == ["held v1 LS-TP-VT"], "the v1 hook")
        # a broken version: the old state keeps running and the error is shown
        self.write("convene.on('congress.held', function(\n")
        self.wait(lambda: "reload failed" in (self.js("script", "status", "city")[0]
                                              .get("last_error") or ""), "the reload error")
        self.ok("org", "add", "LS-TP-DK", "Phường Đông Kinh", "--level", "grassroots",
                "--parent", "LS-TP")
        self.ok("congress", "plan", "LS-TP-DK", "XIII")
        self.ok("congress", "held", "LS-TP-DK", "--on", "2020-05-20", "--override", "test")
        self.wait(lambda: len(self.outbox()) == 2, "the old hook on the next event")
        self.assertEqual(self.outbox()[1], "held v1 LS-TP-DK")
        # a clean version replaces it
        self.write(HOOK % "held v2")
        d.wait_for(lambda e: e["msg"] == "package loaded")
        self.ok("org", "add", "LS-TP-CL", "Phường Chi Lăng", "--level", "grassroots",
                "--parent", "LS-TP")
        self.ok("congress", "plan", "LS-TP-CL", "XXI")
        self.ok("congress", "held", "LS-TP-CL", "--on", "2020-05-09", "--override", "test")
        self.wait(lambda: len(self.outbox()) == 3, "the new hook")
        self.assertEqual(self.outbox()[2], "held v2 LS-TP-CL")
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        # a restart does not hand the same events to the hooks again: a v3 hook (new subjects,
        # so new keys) would queue "held v3 ..." for every event handed again, before the next
        self.write(HOOK % "held v3")
        d = self.daemon()
        self.ok("org", "add", "LS-TP-HV", "Phường Hoàng Văn Thụ", "--level", "grassroots",
                "--parent", "LS-TP")
        self.ok("congress", "plan", "LS-TP-HV", "XX")
        self.ok("congress", "held", "LS-TP-HV", "--on", "2020-05-10", "--override", "test")
        self.wait(lambda: "held v3 LS-TP-HV" in self.outbox(), "the hook on the new event")
        self.assertEqual(self.outbox()[3:], ["held v3 LS-TP-HV"])
        self.assertEqual(self.js("script", "status", "city")[0]["lag"], 0)
        self.assertEqual(d.stop(signal.SIGTERM), 0)

    def test_daemon_hands_each_imported_organisation_to_org_added_hooks(self):
        """An import journals its new rows in batches (import.rows, a thousand rows an event);
        a hook on org.added still runs once per organisation in its subtree, with its values."""
        self.write('convene.on("org.added", function(ev)\n'
                   '  convene.notify{to = "office@example.vn",\n'
                   '                 subject = "added " .. ev.org .. " under " .. ev.data.parent}\n'
                   'end)\n')
        self.ok("org", "add", "BK", "Tỉnh Bắc Kạn", "--level", "province")
        self.ok("script", "add", self.pkg, "--org", "LS-TP")
        self.ok("plugin", "enable", "import-csv")
        d = self.daemon()
        cells = [f"LS-TP-C{i:04d},Chi bộ số {i},cell,LS-TP-VT" for i in range(1100)]
        csv = os.path.join(self.dir, "orgs.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("\n".join(["code,name,level,parent", "BK-X,Huyện X,district,BK", *cells]) + "\n")
        self.ok("import", csv, "--as", "orgs")
        # 1,100 hooks: bounded generously for a loaded machine (and sanitizers)
        self.wait(lambda: self.js("script", "status", "city")[0]["lag"] == 0,
                  "the package to catch up", timeout=180)
        subjects = self.outbox()
        self.assertEqual(sorted(subjects),
                         [f"added LS-TP-C{i:04d} under LS-TP-VT" for i in range(1100)])
        con = sqlite3.connect(self.db)
        try:
            batches = [r[0] for r in con.execute(
                "SELECT json_array_length(data, '$.added') FROM events WHERE type = 'import.rows' "
                "ORDER BY id")]
        finally:
            con.close()
        self.assertEqual(batches, [1024, 77])
        self.assertEqual(d.stop(signal.SIGTERM), 0)

    def test_daemon_runs_a_lua_job_that_fell_due_and_a_reload_keeps_one_job(self):
        self.write('convene.at("2020-01-01T08:00", function()\n'
                   '  convene.notify{to = "office@example.vn", subject = "job ran"}\nend, "new-year")\n')
        self.ok("script", "add", self.pkg, "--org", "LS-TP")
        d = self.daemon()
        self.wait(lambda: self.outbox() == ["job ran"], "the job that fell due before start")
        runs = self.js("jobs", "list", "lua:")
        self.assertEqual([j["name"] for j in runs], ["lua:city:new-year"])
        # a reload with the same declaration keeps the one job; it does not run again
        self.write('-- edited\nconvene.at("2020-01-01T08:00", function()\n'
                   '  convene.notify{to = "office@example.vn", subject = "job ran"}\nend, "new-year")\n')
        d.wait_for(lambda e: e["msg"] == "package loaded")
        self.assertEqual([j["name"] for j in self.js("jobs", "list", "lua:")], ["lua:city:new-year"])
        # a version without it removes the job
        self.write(HOOK % "held v3")
        d.wait_for(lambda e: e["msg"] == "package loaded")
        self.wait(lambda: self.js("jobs", "list", "lua:") == [], "the pruned job")
        self.assertEqual(self.outbox(), ["job ran"])
        self.assertEqual(d.stop(signal.SIGTERM), 0)


if __name__ == "__main__":
    main()
