"""test_lua_hostile.py: hostile Lua packages in the running daemon. Every attack of
tests/lua/hostile/ (those that define attack()) runs in a hook of its own package beside an honest
package and a CLI writer: each attack is stopped (its reason shown in `script status`), the honest
package's hook still runs within a second of its event, `convene congress held` keeps succeeding,
the daemon's memory stays bounded and SIGTERM ends it within a second. Prints one line per class:
stopped, reason, time to stop. Also: an event storm is cut at the cascade limit, a package sees
only its subtree's events, an admin resumes a suspended package, and rehearsal scenarios may not
reach outside their folder."""
import glob
import os
import signal
import sqlite3
import time

from harness import SOURCE, Daemon, StoreTest, main

HOSTILE = os.path.join(SOURCE, "tests", "lua", "hostile")
HONEST = """convene.on("congress.held", function(ev)
  convene.notify{to = "office@example.vn", subject = "honest " .. ev.org}
end)
"""
# The honest package's hook runs within a second of its event; a sanitizer build (ASAN_OPTIONS
# set, as tools/test.sh does) on a busy machine is given three, as for the SIGTERM below.
HONEST_WITHIN = 3.0 if os.environ.get("ASAN_OPTIONS") else 1.0
RSS_MAX_KB = 1024 * 1024  # 59 packages' states and connections (a sanitizer build doubles it)


# What follows a script's text in init.lua to put attack() in each position the daemon runs
# (init.lua itself is refused by `script add`, which loads the package first).
POSITIONS = {
    "hook": "convene.on('congress.held', function() attack() end)\n",
    "job": "convene.at('2020-05-22T08:00', function() attack() end, 'attack')\n",
    "boundary": "convene.campaign{name = 'c', phases = {{name = 'p', starts = function(ev)\n"
                "  attack()\n  return false\nend}}}\n",
    "allocate": "convene.on('congress.held', function()\n"
                "  convene.elections.allocate{org = convene.root, total = 10,"
                " method = function(units, seats)\n    attack()\n    return {}\n  end}\nend)\n",
}


def attacks():
    """(class, position, init.lua) for each script that defines attack(), in each position of
    the daemon it names."""
    found = []
    for path in sorted(glob.glob(os.path.join(HOSTILE, "*.lua"))):
        with open(path) as f:
            text = f.read()
        if "function attack(" not in text:
            continue
        named = text.split("-- positions:")[1].split("\n")[0].split()
        # the wall clock may come first under a sanitizer on a busy machine: a stop all the same
        expect = text.split("-- expect:")[1].split("\n")[0].strip().split("|") + [
            "wall-clock budget of"]
        # "-- repeat: N": many short callbacks spend a per-minute budget; the daemon's job runs
        # once, so such a class runs where each CLI write makes another callback
        repeat = "-- repeat:" in text
        for position, wrap in POSITIONS.items():
            if position in named and not (repeat and position == "job"):
                found.append((os.path.basename(path)[:-4], position, expect,
                              text + "\n" + wrap))
    return found


class HostileDaemonTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district")
        self.ok("org", "add", "OTHER", "Huyện khác", "--level", "district")
        self.units = 0

    def package(self, name, text, org="LS-TP"):
        path = os.path.join(self.dir, name)
        os.mkdir(path)
        with open(os.path.join(path, "init.lua"), "w") as f:
            f.write(text)
        self.ok("script", "add", path, "--org", org)
        return path

    def query(self, sql, *args):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def wait(self, predicate, seconds=10.0):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        return None

    def daemon(self, packages):
        d = Daemon(self, "--poll-ms", "50")
        for _ in range(packages):
            d.wait_for(lambda e: e["msg"] == "package loaded")
        return d

    def held(self):
        """A new unit under LS-TP whose congress the CLI marks held: must succeed."""
        self.units += 1
        code = f"LS-TP-{self.units}"
        self.ok("org", "add", code, f"Phường {self.units}", "--level", "grassroots",
                "--parent", "LS-TP")
        self.ok("congress", "plan", code, "VIII")
        self.ok("congress", "held", code, "--on", "2020-05-20", "--override", "rehearsed")
        return code

    def honest_served(self, code):
        return self.query("SELECT count(*) FROM outbox WHERE subject = ?", "honest " + code)[0][0]

    def stopped(self, name):
        rows = self.query("SELECT coalesce(suspended, last_error, '') FROM lua_packages "
                          "WHERE name = ?", name)
        return rows[0][0] if rows and rows[0][0] else None

    def sigterm_within_a_second(self, d):
        """The daemon has stopped every service and closed every handle within a second of
        SIGTERM (what a sanitizer does at exit afterwards is not counted), and exits 0."""
        sent = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        d.wait_for(lambda e: e["msg"] == "stopped; every handle closed", deadline=5.0)
        took = time.monotonic() - sent
        self.assertEqual(d.proc.wait(timeout=10), 0)
        print(f"daemon SIGTERM answered in {took * 1000:.1f} ms")
        # A sanitizer build (ASAN_OPTIONS set, as tools/test.sh does) frees every package's state
        # several times slower on a shared machine: the bound there is three seconds.
        bound = 3.0 if os.environ.get("ASAN_OPTIONS") else 1.0
        self.assertLess(took, bound, "SIGTERM was not answered in time")

    def rss_kb(self, pid):
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def test_every_attack_is_stopped_while_the_honest_package_and_the_cli_are_served(self):
        self.package("honest", HONEST)
        classes = attacks()
        self.assertGreaterEqual(len(classes), 40)
        d = self.daemon(1)
        rss = 0
        for i, (cls, position, expect, text) in enumerate(classes):
            name = f"hostile{i}"
            self.package(name, text)
            limits = text.split("-- limits:")[1].split("\n")[0].split() if "-- limits:" in text \
                else []
            if limits:  # set before the daemon sees the package, most often
                self.ok("script", "limits", name, *limits)
            d.wait_for(lambda e: e["msg"] == "package loaded" and e.get("package") == name)

            def stopped_as_expected():
                r = self.stopped(name)
                return r if r and any(x in r for x in expect) else None
            started = time.monotonic()
            for _ in range(200 if "-- repeat:" in text else 1):
                code = self.held()  # each one another callback of the attack
                served = self.wait(lambda: self.honest_served(code), HONEST_WITHIN)
                self.assertTrue(served, f"{cls}: the honest hook did not run within "
                                        f"{HONEST_WITHIN} s")
                if stopped_as_expected():
                    break
            reason = self.wait(stopped_as_expected)
            self.assertTrue(reason, f"{cls} in a {position}: not stopped with {expect}: "
                                    f"{self.stopped(name)}")
            took = time.monotonic() - started
            print(f"daemon {cls:24s} {position:8s} stopped in {took * 1000:7.1f} ms: "
                  f"{reason[:90]}")
            rss = max(rss, self.rss_kb(d.proc.pid))
            self.assertLess(rss, RSS_MAX_KB)
        print(f"daemon peak RSS {rss // 1024} MB with {len(classes) + 1} packages")
        self.sigterm_within_a_second(d)

    def test_a_busy_package_is_stopped_and_sigterm_is_answered_within_a_second(self):
        self.package("honest", HONEST)
        self.package("busy", "convene.on('congress.held', function()\n"
                             "  local t = {}\n  while true do t[#t % 1000 + 1] = #t end\nend)\n")
        d = self.daemon(2)
        code = self.held()
        self.assertTrue(self.wait(lambda: self.honest_served(code), 1.0))
        reason = self.wait(lambda: "budget" in (self.stopped("busy") or "") and self.stopped("busy"))
        self.assertIn("budget", reason or self.stopped("busy"))
        status = self.js("script", "status", "busy")[0]
        self.assertEqual(status["state"], "suspended")
        self.assertIn("budget", status["suspended"])
        self.sigterm_within_a_second(d)

    def test_sigterm_interrupts_a_long_legal_callback_without_blaming_it(self):
        """A package allowed long callbacks is interrupted by SIGTERM mid-hook: the daemon ends
        within a second, the package is not suspended, and the next start runs the hook on the
        same event again (its batch was undone)."""
        self.package("slow", "convene.on('congress.held', function(ev)\n"
                             "  convene.log('hook started')\n"
                             "  for i = 1, 2000000000 do end\n"
                             "  convene.notify{to = 'x', subject = 'slow ' .. ev.org}\nend)\n")
        self.ok("script", "limits", "slow", "instructions=1000000000", "wall_ms=60000")
        d = self.daemon(1)
        self.held()
        d.wait_for(lambda e: e["msg"] == "hook started")  # it runs for seconds from here
        self.sigterm_within_a_second(d)
        status = self.js("script", "status", "slow")[0]
        self.assertEqual(status["state"], "loaded", status)
        self.assertEqual(status["lag"] > 0, True, status)  # the event is still to be handled
        self.assertEqual(self.query("SELECT count(*) FROM outbox")[0][0], 0)

    def test_an_event_storm_is_cut_at_the_cascade_limit_and_an_admin_resumes_the_package(self):
        self.package("storm", "convene.on('congress.held', function(ev)\n"
                              "  convene.add_work{org = ev.org, title = 'first', group = 'g'}\nend)\n"
                              "convene.on('work_item.added', function(ev)\n"
                              "  convene.add_work{org = ev.org, title = 'again', group = 'g'}\nend)\n")
        self.package("calm", HONEST)
        d = self.daemon(2)
        self.held()
        reason = self.wait(lambda: "cascade" in (self.stopped("storm") or "") and self.stopped("storm"))
        self.assertIn("cascade", reason or self.stopped("storm"))
        items = self.query("SELECT count(*) FROM work_items")[0][0]
        self.assertLessEqual(items, 9)  # the cause and 8 levels of effects, nothing more
        journaled = self.query("SELECT count(*) FROM events WHERE type = 'script.suspended'")[0][0]
        self.assertEqual(journaled, 1)
        self.ok("script", "resume", "storm")
        d.wait_for(lambda e: e["msg"] == "package loaded" and e.get("package") == "storm")
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        self.refused("script", "resume", "calm", says="not suspended")

    def test_cpu_per_minute_suspends_the_burner_and_an_admin_resumes_it(self):
        """Short callbacks, each inside its own budgets, together pass the package's CPU for the
        minute: it is suspended with the reason in `script status` and the journal, the honest
        package and the CLI go on, and `script resume` runs it again."""
        self.package("burner", "convene.on('congress.held', function()\n"
                               "  local x = 0\n  for i = 1, 1000000 do x = x + i % 7 end\nend)\n")
        self.package("calm", HONEST)
        limits = self.ok("script", "limits", "burner").out
        self.assertIn("cpu_ms_per_minute=20000", limits)
        self.ok("script", "limits", "burner", "cpu_ms_per_minute=100")
        d = self.daemon(2)
        for _ in range(200):
            code = self.held()
            self.assertTrue(self.wait(lambda: self.honest_served(code), 1.0))
            if self.stopped("burner"):
                break
        status = self.js("script", "status", "burner")[0]
        self.assertEqual(status["state"], "suspended", status)
        self.assertIn("more than 100 ms of CPU in a minute (limit cpu_ms_per_minute",
                      status["suspended"])
        journaled = self.query("SELECT count(*) FROM events WHERE type = 'script.suspended'")[0][0]
        self.assertEqual(journaled, 1)
        code = self.held()  # the burner is suspended: the others go on
        self.assertTrue(self.wait(lambda: self.honest_served(code), 1.0))
        self.ok("script", "resume", "burner")
        d.wait_for(lambda e: e["msg"] == "package loaded" and e.get("package") == "burner")
        self.assertEqual(self.js("script", "status", "burner")[0]["state"], "loaded")
        self.assertEqual(d.stop(signal.SIGTERM), 0)

    def test_a_package_sees_only_its_subtree_and_no_one_elses_people(self):
        self.package("seer", "convene.on('*', function(ev)\n"
                             "  convene.notify{to = 'x', subject = ev.type .. ' ' .. (ev.org or '-')}\n"
                             "end)\n")
        d = self.daemon(1)
        self.ok("org", "add", "OTHER-1", "Xã khác", "--level", "grassroots", "--parent", "OTHER")
        self.ok("person", "add", "P1", "Nguyễn Văn A")
        code = self.held()
        self.assertTrue(self.wait(lambda: self.query(
            "SELECT count(*) FROM outbox WHERE subject = ?", "congress.held " + code)[0][0]))
        subjects = [r[0] for r in self.query("SELECT subject FROM outbox")]
        self.assertFalse([s for s in subjects if "OTHER" in s], subjects)
        self.assertFalse([s for s in subjects if s.startswith("person.")], subjects)
        self.assertFalse([s for s in subjects if s.endswith(" -")], subjects)
        self.assertEqual(d.stop(signal.SIGTERM), 0)

    def test_limits_are_settings_an_admin_raises_per_package(self):
        self.package("chatty", "convene.on('congress.held', function()\n"
                               "  for i = 1, 1500 do convene.log('line ' .. i) end\nend)\n")
        self.refused("script", "limits", "chatty", "log_per_call=0x", says="KEY=N")
        self.refused("script", "limits", "chatty", "nonsense=3", says="no package limit")
        r = self.ok("script", "limits", "chatty", "log_per_call=2000")
        self.assertIn("log_per_call=2000", r.out)
        d = self.daemon(1)
        self.held()
        self.assertTrue(self.wait(lambda: self.js("script", "status", "chatty")[0]["lag"] == 0))
        self.assertEqual(self.js("script", "status", "chatty")[0]["state"], "loaded")
        self.assertEqual(d.stop(signal.SIGTERM), 0)


class RehearsalSandboxTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.pkg = os.path.join(self.dir, "pkg")
        os.mkdir(self.pkg)
        with open(os.path.join(self.pkg, "init.lua"), "w") as f:
            f.write("convene.log('loaded')\n")

    def rehearse(self, body):
        path = os.path.join(self.dir, "scenario.lua")
        with open(path, "w") as f:
            f.write(body)
        return self.run_cv("script", "test", self.pkg, path)

    def scenario(self, step):
        return ('return { start = "2020-03-01T08:00", finish = "2020-03-02", org = "R",'
                ' setup = {{"org", "add", "R", "R", "--level", "district"}},'
                ' steps = {{at = "2020-03-01T09:00", run = %s}} }\n' % step)

    def test_a_scenario_may_not_reach_outside_its_rehearsal(self):
        outside = os.path.join(self.dir, "outside.db")
        for step, says in [('{"run"}', "may not run 'convene run'"),
                           ('{"script", "test", ".", "s.lua"}', "may not run 'convene script'"),
                           ('{"plugin", "list"}', "may not run 'convene plugin'"),
                           ('{"org", "show", "R", "--db", "%s"}' % outside, "may not choose --db"),
                           ('{"report", "x", "--output", "/tmp/cv-escape.txt"}', "outside"),
                           ('{"doc", "get", "1", "--output", "../escape"}', "outside")]:
            r = self.rehearse(self.scenario(step))
            self.assertNotEqual(r.code, 0, step)
            self.assertIn(says, r.err, step)
            self.assertNotIn("Traceback", r.err)
        self.assertFalse(os.path.exists(outside))
        self.assertFalse(os.path.exists("/tmp/cv-escape.txt"))

    def test_a_failing_job_shows_in_the_timeline(self):
        with open(os.path.join(self.pkg, "init.lua"), "w") as f:
            f.write('convene.at("2020-03-01T10:00", function() error("no such unit") end, "once")\n')
        r = self.rehearse('return { start = "2020-03-01T08:00", finish = "2020-03-02", org = "R",'
                          ' setup = {{"org", "add", "R", "R", "--level", "district"}},'
                          ' expect = {"no such unit (job lua:pkg:once)"} }\n')
        self.assertEqual(r.code, 0, r.out + r.err)
        self.assertIn("init.lua:1: no such unit", r.out)

    def test_a_malformed_scenario_is_refused_never_a_crash(self):
        for body, says in [('return { start = function() end }\n', "cannot be stored"),
                           ('local t = {} t.t = t return t\n', "nested more than"),
                           ('local t = {} for i = 1, 200000 do t[i] = i end return t\n',
                            "more than 100000"),
                           ('return 42\n', "must return a table"),
                           ('while true do end\n', "budget"),
                           ('return {s = string.rep("x", 1 << 40)}\n', "string.rep")]:
            r = self.rehearse(body)
            self.assertEqual(r.code, 64, body + r.err)  # EX_USAGE, not a signal (SIGABRT)
            self.assertIn(says, r.err, body)


if __name__ == "__main__":
    main()
