"""test_sched.py: the scheduler end to end: the jobs, contact and holiday commands refuse bad
input and change nothing; the daemon's timer runs a job when it falls due; a daemon that was down
runs a missed job once with its lateness recorded; and a bounded crash test kills the daemon with
SIGKILL at random instants while 10,000 reminders fall due, restarts it, and checks that none is
lost, none is doubled, and PRAGMA integrity_check is ok after every kill."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import time

from harness import BIN, EX_DATAERR, EX_USAGE, StoreTest, main


class SchedTest(StoreTest):
    real_clock = False

    def env(self):
        env = super().env()
        if self.real_clock:
            env.pop("CONVENE_NOW", None)
        return env

    def sql(self, query, *args):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()

    def daemon(self, serving=True):
        """A running `convene run`; with serving, once its scheduler has started (so that a
        SIGTERM meets its handler)."""
        log = os.path.join(self.dir, "run.log")
        with open(log, "w") as err:
            proc = subprocess.Popen([BIN, "run", "--poll-ms", "50"], stderr=err, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        end = time.monotonic() + 30
        while serving and "scheduler started" not in open(log).read():
            self.assertIsNone(proc.poll(), open(log).read())
            self.assertLess(time.monotonic(), end, "the daemon did not start")
            time.sleep(0.01)
        return proc

    def wait_until(self, query, want, deadline=30.0):
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.sql(query)[0][0] == want:
                return
            time.sleep(0.05)
        self.fail(f"{query} did not reach {want}: {self.sql(query)[0][0]}")

    def test_builtin_reminders_are_on_by_default(self):
        names = [j["name"] for j in self.js("jobs", "list") if j["state"] == "active"]
        for n in ("builtin.work.due_soon", "builtin.work.overdue", "builtin.congress.soon",
                  "builtin.congress.announce", "builtin.phase.changed"):
            self.assertIn(n, names)

    def test_bad_input_is_refused_and_changes_nothing(self):
        self.refused("jobs", "set", "x", "--cron", "0 8 * * 8", "--action", "notify",
                     code=EX_USAGE, says="day-of-week")
        self.refused("jobs", "set", "x", "--cron", "0 8 * *", "--action", "notify", code=EX_USAGE)
        self.refused("jobs", "set", "x", "--at", "2020-02-30T08:00", "--action", "notify",
                     code=EX_USAGE)
        self.refused("jobs", "set", "x", "--cron", "@daily", "--action", "launch", code=EX_USAGE)
        # A job's recipient and subject obey notify's rule: one line, no escapes, not empty.
        for opt, value, says in (("--subject", "a\r\nBcc: x@y.vn", "--subject contains a control"),
                                 ("--subject", "\x1b[31mđỏ", "--subject contains a control"),
                                 ("--to", "Văn\nphòng", "--to contains a control"),
                                 ("--to", "", "--to must not be empty")):
            args = ["--to", "Văn phòng", "--subject", "s"]
            args[args.index(opt) + 1] = value
            with self.subTest(opt=opt, value=value):
                self.refused("jobs", "set", "x", "--cron", "@daily", "--action", "notify", *args,
                             code=EX_USAGE, says=says)
        self.refused("contact", "add", "Văn phòng", "--log", "a\x01b", code=EX_USAGE,
                     says="address contains a control character")
        self.refused("jobs", "pause", "nope", code=EX_DATAERR)
        self.refused("jobs", "zone", "Europe/Paris", code=EX_USAGE)
        self.refused("contact", "add", "Văn phòng", "--email", "not-an-address", code=EX_USAGE)
        self.refused("contact", "add", "Văn phòng", "--webhook", "ftp://x", code=EX_USAGE)
        self.refused("holiday", "add", "2020-13-01", "Tết", code=EX_USAGE)
        # an anchor's offset is within ten years either way (base/bound.h: CV_DAYS_MAX)
        for days in ("3661", "-3661"):
            self.refused("jobs", "set", "x", "--anchor", "work:1", "--action", "notify", "--days",
                         days, code=EX_USAGE, says="--days must be a whole number of days")
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        self.ok("congress", "plan", "LS", "XVIII", "--start", "2020-09-10")
        self.ok("jobs", "set", "x", "--anchor", "congress:LS", "--action", "notify", "--to",
                "Văn phòng", "--subject", "s", "--days", "-3660")

    def test_set_twice_keeps_one_job_and_pause_resume_work(self):
        for _ in range(2):
            self.ok("jobs", "set", "giao-ban", "--cron", "0 8 * * mon", "--action", "notify",
                    "--to", "Văn phòng", "--subject", "Họp giao ban")
        [job] = self.js("jobs", "list", "giao-ban")
        self.assertEqual(job["next_at"], 1590368400000)  # Monday 2020-05-25 08:00 +07:00
        self.ok("jobs", "pause", "giao-ban")
        self.assertEqual(self.js("jobs", "list", "giao-ban")[0]["state"], "paused")
        self.ok("jobs", "resume", "giao-ban")
        self.ok("contact", "add", "Văn phòng", "--email", "vp@ls.vn")
        self.ok("jobs", "run-now", "giao-ban")
        self.assertEqual(self.sql("SELECT recipient, subject FROM outbox"),
                         [("vp@ls.vn", "Họp giao ban")])

    def test_the_daemon_runs_a_job_when_it_falls_due(self):
        self.real_clock = True
        due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
        self.ok("jobs", "set", "soon", "--at", due, "--action", "notify", "--to", "VP",
                "--subject", "Sắp đến giờ")
        d = self.daemon()
        self.wait_until("SELECT count(*) FROM outbox", 1, deadline=15)
        [(late,)] = self.sql("SELECT lateness_ms FROM job_runs")
        # the timer, not the hourly re-read of the clock, ran it (generous for ASan on 2 cores)
        self.assertLess(late, 10000)
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=10), 0)

    def test_a_job_missed_while_down_runs_once_on_start(self):
        self.real_clock = True
        now = time.time()
        self.ok("jobs", "set", "every-minute", "--cron", "* * * * *", "--action", "notify",
                "--to", "VP", "--subject", "Mỗi phút")
        # Pretend the daemon was down for ten ticks: the job fell due ten minutes ago.
        con = sqlite3.connect(self.db)
        con.execute("UPDATE jobs SET next_at = ? WHERE name = 'every-minute'",
                    (int((now - 600) * 1000) // 60000 * 60000,))
        con.commit()
        con.close()
        d = self.daemon()
        self.wait_until("SELECT count(*) FROM job_runs WHERE caught_up = 1", 1)
        # The catch-up run moved the job past every missed tick in its own transaction: no
        # missed tick is left to run once per minute missed.
        [(next_at,)] = self.sql("SELECT next_at FROM jobs WHERE name = 'every-minute'")
        self.assertGreater(next_at, now * 1000)
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=10), 0)
        runs = self.sql("SELECT lateness_ms, caught_up, due_at FROM job_runs r JOIN jobs j "
                        "ON j.id = r.job_id WHERE j.name = 'every-minute' ORDER BY r.id")
        self.assertEqual([r[1] for r in runs].count(1), 1)
        self.assertGreaterEqual(runs[0][0], 540000)
        self.assertTrue(all(due > now * 1000 for _, _, due in runs[1:]), runs)

    def test_kill_9_while_10000_reminders_fall_due_loses_and_doubles_none(self):
        self.real_clock = True
        n = 10000
        start = time.time() + 1.0
        con = sqlite3.connect(self.db)
        rows = []
        for i in range(n):
            at = int(start) + 1 + i * 4 // n  # due over four seconds, 2,500 a second
            rows.append((f"crash.{i:05d}", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
                         json.dumps({"to": f"u{i % 50}", "subject": f"Nhắc {i}"}), at * 1000))
        con.executemany("INSERT INTO jobs(name, kind, spec, action, args, next_at) "
                        "VALUES (?, 'at', ?, 'notify', ?, ?)", rows)
        con.commit()
        con.close()
        rng = random.Random(int(os.environ.get("CV_CRASH_SEED", "5")))
        kills = 0
        while kills < 4:
            d = self.daemon(serving=False)  # a kill may even land during start-up
            time.sleep(rng.uniform(0.3, 2.5))
            if d.poll() is not None:
                self.fail("the daemon exited by itself")
            d.send_signal(signal.SIGKILL)
            d.wait()
            kills += 1
            self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        d = self.daemon()
        self.wait_until("SELECT count(*) FROM jobs WHERE name LIKE 'crash.%' AND state = 'done'",
                        n, deadline=60)
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=10), 0)
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        # Not lost: every reminder is in the outbox under the key of its job and due instant.
        missing = self.sql(
            "SELECT count(*) FROM jobs j WHERE j.name LIKE 'crash.%' AND NOT EXISTS (SELECT 1 "
            "FROM outbox o WHERE o.key = j.name || ':' || j.last_due_at || ':log:' || "
            "json_extract(j.args, '$.to'))")
        self.assertEqual(missing, [(0,)])
        # Not doubled: one outbox row per job (a repeat for another due instant would add a row
        # under another key of the same job), and each job ran exactly once.
        self.assertEqual(self.sql("SELECT count(*) FROM outbox WHERE key LIKE 'crash.%'"), [(n,)])
        self.assertEqual(self.sql("SELECT count(*) FROM (SELECT substr(key, 1, 11) AS job FROM "
                                  "outbox WHERE key LIKE 'crash.%' GROUP BY job "
                                  "HAVING count(*) > 1)"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM (SELECT job_id FROM job_runs GROUP BY "
                                  "job_id HAVING count(*) > 1)"), [(0,)])


if __name__ == "__main__":
    main()
