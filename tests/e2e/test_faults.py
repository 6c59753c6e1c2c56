"""test_faults.py: what convene does when the world around it goes wrong: a full disk under the
daemon's bookkeeping, a store reached through a symlink or a hard link, kill -9 in the middle of
deliveries, a receiver that never answers, a store that is empty, corrupt or holds a parent cycle,
FIFOs where files are expected, a closed stderr, a busy, full or read-only store. Each test waits
on a condition with a generous deadline; none sleeps to prove that nothing happened."""
import collections
import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time

from harness import BIN, StoreTest, main
from httpd import Server
from notify_peers import WebhookReceiver, wait_until

SECRET = "bí-mật-của-văn-phòng-tỉnh-ủy"
EX_IOERR = 74
FAST = 15  # seconds: a command that should fail fast must answer well within this


class Run:
    """`convene run` with its stderr in a file, on the store's clock (CONVENE_NOW)."""

    def __init__(self, test, *args, db=None, stderr=None):
        env = test.env()
        if db:
            env["CONVENE_DB"] = db
        self.log_path = os.path.join(test.dir, f"run-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "w") if stderr is None else None
        self.proc = subprocess.Popen([BIN, "run", "--poll-ms", "20"], env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.log if stderr is None else stderr)
        test.addCleanup(self.kill)

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def serving(self):
        wait_until(lambda: self.proc.poll() is not None or "serving" in self.text(),
                   "the daemon to serve", deadline=60)
        assert self.proc.poll() is None, self.text()
        return self

    def stop(self, signum=signal.SIGTERM):
        """Signals the daemon and returns (exit status, seconds it took to exit)."""
        t = time.monotonic()
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=60)
        return code, time.monotonic() - t

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.log:
            self.log.close()


class FaultTest(StoreTest):
    def sql(self, query, *args, db=None):
        con = sqlite3.connect(db or self.db, timeout=30)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def run_fast(self, *args, db=None):
        """Runs a command that must answer within FAST seconds."""
        env = self.env()
        if db:
            env["CONVENE_DB"] = db
        try:
            p = subprocess.run([BIN, *args], capture_output=True, text=True, env=env,
                               timeout=FAST)
        except subprocess.TimeoutExpired:
            self.fail(f"convene {' '.join(args)} did not answer within {FAST} s")
        return p

    def log_notifier(self):
        path = os.path.join(self.dir, "notifications.jsonl")
        self.ok("plugin", "config", "notify-log", "file", path)
        self.ok("plugin", "enable", "notify-log")
        return path

    @staticmethod
    def lines(path):
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [l for l in f if l.strip()]

    def tree(self):
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district",
                "--parent", "LS")
        self.ok("org", "add", "LS-TP-VT", "Phường Vĩnh Trại", "--level", "grassroots",
                "--parent", "LS-TP")


class DeliveryFaultTest(FaultTest):
    def fill_store(self):
        """Makes every delivery's bookkeeping need a page the store may not have: a trigger
        (written behind convene's back) adds a page per outbox update, and `store limit 1` bounds
        the store (1.1 MB already) at its present size."""
        self.sql("CREATE TABLE filler(x BLOB)")
        self.sql("INSERT INTO filler VALUES (zeroblob(1100000))")
        self.sql("CREATE TRIGGER grow AFTER UPDATE ON outbox BEGIN "
                 "INSERT INTO filler VALUES (randomblob(9000)); END")
        self.ok("store", "limit", "1")
        self.sql("VACUUM")

    def full_daemon(self):
        """Five log notifications delivered by a daemon that cannot record them."""
        path = self.log_notifier()
        self.ok("notify", "config", "notify.backoff_base_ms", "50")
        self.ok("notify", "config", "notify.backoff_cap_ms", "200")
        for i in range(5):
            self.ok("notify", "Văn phòng", "--channel", "log", "--subject", f"Thông báo {i}",
                    "--body", "b", "--key", f"full-{i}")
        self.refused("store", "limit", "0", code=64, says="limit")
        self.fill_store()
        d = Run(self).serving()
        wait_until(lambda: "database or disk is full" in d.text(), "the failed bookkeeping")
        wait_until(lambda: len(self.lines(path)) >= 5, "the five deliveries")
        return d, path

    def test_disk_full_under_bookkeeping_repeats_no_delivery_and_does_not_spin(self):
        d, path = self.full_daemon()
        # a command that needs more room is refused as an I/O error, the store unchanged
        self.refused("notify", "x", "--channel", "log", "--subject", "s", "--body", "x" * 16000,
                     code=EX_IOERR, says="full")
        cpu0, t0 = self.cpu(d.proc.pid), time.monotonic()
        for _ in range(20):  # reads are still served while the daemon waits for room
            self.assertEqual(len(self.js("outbox", "list", "--state", "pending")), 5)
        cpu, wall = self.cpu(d.proc.pid) - cpu0, time.monotonic() - t0
        self.assertEqual(len(self.lines(path)), 5, "a notification was delivered again")
        self.assertEqual(d.text().count("cannot record deliveries"), 1, d.text()[-2000:])
        self.assertLess(cpu, wall / 2, "the daemon spun while the store was full")
        self.sql("DROP TRIGGER grow")  # room again: the outcomes held are recorded
        wait_until(lambda: len(self.js("outbox", "list", "--state", "sent")) == 5,
                   "the held outcomes to be recorded")
        self.assertEqual(len(self.lines(path)), 5)
        self.assertIn("deliveries recorded again", d.text())
        code, took = d.stop()
        self.assertEqual(code, 0, d.text()[-2000:])

    def test_sigterm_stops_a_daemon_that_waits_for_room(self):
        d, path = self.full_daemon()
        code, took = d.stop()
        self.assertEqual(code, 0, d.text()[-2000:])
        self.assertLess(took, 10)
        self.assertEqual(len(self.lines(path)), 5)
        # their rows stayed pending: the next daemon delivers them again, under the same keys
        self.assertEqual(len(self.js("outbox", "list", "--state", "pending")), 5)

    @staticmethod
    def cpu(pid):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def silent_receiver(self):
        """Accepts every connection and never answers."""
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(64)
        srv.settimeout(0.2)
        held, done = [], threading.Event()

        def serve():
            while not done.is_set():
                try:
                    held.append(srv.accept()[0])
                except OSError:
                    pass

        t = threading.Thread(target=serve, daemon=True)
        t.start()

        def close():
            done.set()
            t.join(timeout=10)
            for c in held:
                c.close()
            srv.close()
        self.addCleanup(close)
        return f"http://127.0.0.1:{srv.getsockname()[1]}/hook", held

    def test_a_silent_receiver_starves_no_other_channel_and_sigterm_abandons_it(self):
        path = self.log_notifier()
        self.ok("plugin", "config", "notify-webhook", "secret", SECRET)
        self.ok("plugin", "enable", "notify-webhook")
        self.ok("notify", "config", "notify.concurrency", "2")
        url, held = self.silent_receiver()
        for i in range(4):
            self.ok("notify", url, "--channel", "webhook", "--subject", "s", "--body", "b",
                    "--key", f"hang-{i}")
        for i in range(3):
            self.ok("notify", "Văn phòng", "--channel", "log", "--subject", "s", "--body", "b",
                    "--key", f"log-{i}")
        d = Run(self).serving()
        wait_until(lambda: len(held) >= 2, "the webhooks to hang")
        # well within the webhook's 30 s timeout, the log channel has its own slots
        wait_until(lambda: len(self.lines(path)) == 3, "the log notifications", deadline=15)
        code, took = d.stop()
        self.assertEqual(code, 0, d.text()[-2000:])
        self.assertLess(took, 10, "SIGTERM waited for the silent receiver")
        rows = {r["key"]: r for r in self.js("outbox", "list")}
        for i in range(4):
            self.assertEqual((rows[f"hang-{i}"]["state"], rows[f"hang-{i}"]["tries"]),
                             ("pending", 0))

    def test_kill_9_repeats_at_most_the_deliveries_in_flight(self):
        """README: a kill -9 can repeat at most notify.concurrency deliveries per channel (those
        in flight or finished and not yet recorded), each with its idempotency key."""
        self.ok("plugin", "config", "notify-webhook", "secret", SECRET)
        self.ok("plugin", "enable", "notify-webhook")
        self.ok("notify", "config", "notify.concurrency", "4")
        rx = WebhookReceiver(SECRET)
        self.addCleanup(rx.close)
        n, kills = 300, 0
        self.sql("INSERT INTO outbox(key, channel, recipient, subject, body, created_at, next_at)"
                 " SELECT printf('crash-%03d', value), 'webhook', ?, 's', 'b', 0, 0"
                 " FROM (WITH RECURSIVE c(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM c"
                 " WHERE value < ?) SELECT value FROM c)", rx.url, n - 1)
        for at in (40, 120, 200):
            d = Run(self)
            wait_until(lambda: len(rx.received()) >= at, f"{at} deliveries", deadline=60)
            d.proc.kill()
            d.proc.wait()
            kills += 1
        d = Run(self).serving()
        wait_until(lambda: len(self.js("outbox", "list", "--state", "sent", "--limit",
                                       "1000")) == n, "every delivery", deadline=60)
        self.assertEqual(d.stop()[0], 0)
        got = collections.Counter(r["json"]["key"] for r in rx.received())
        self.assertEqual(set(got), {f"crash-{j:03d}" for j in range(n)}, "a delivery was lost")
        repeats = sum(c - 1 for c in got.values())
        self.assertLessEqual(repeats, kills * 4, got.most_common(5))


class LockTest(FaultTest):
    def test_a_symlink_or_hard_link_cannot_run_a_second_daemon(self):
        d = Run(self).serving()
        sym = os.path.join(self.dir, "via-symlink.db")
        os.symlink(self.db, sym)
        hard = os.path.join(self.dir, "via-hardlink.db")
        os.link(self.db, hard)
        for other in (sym, hard):
            r = self.run_fast("--db", other, "run")
            self.assertEqual(r.returncode, 75, r.stderr)
            self.assertIn(f"another convene daemon (pid {d.proc.pid})", r.stderr)
        self.assertEqual(d.stop()[0], 0)

    def test_a_closed_stderr_does_not_kill_the_daemon(self):
        path = self.log_notifier()
        d = Run(self, stderr=subprocess.PIPE)
        first = d.proc.stderr.readline()
        self.assertIn(b"serving", first)
        d.proc.stderr.close()  # whoever read the logs went away
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        self.ok("notify", "Văn phòng", "--channel", "log", "--subject", "s", "--body", "b")
        wait_until(lambda: self.lines(path) or d.proc.poll() is not None, "the delivery")
        wait_until(lambda: self.js("outbox", "list", "--state", "sent") or d.proc.poll()
                   is not None, "the delivery to be recorded")
        self.assertIsNone(d.proc.poll(), "the daemon died writing to a closed stderr")
        self.assertEqual(d.stop()[0], 0)


class StoreFaultTest(FaultTest):
    def test_an_empty_file_is_refused_except_by_init(self):
        empty = os.path.join(self.dir, "empty.db")
        open(empty, "w").close()
        for args in (("status",), ("org", "add", "X", "X", "--level", "province"), ("run",),
                     ("check",)):
            r = self.run_fast(*args, db=empty)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn("empty.db is empty", r.stderr)
            self.assertEqual(os.path.getsize(empty), 0, args)
        self.assertEqual(self.run_fast("--db", empty, "init").returncode, 0)
        self.assertEqual(self.run_fast("--db", empty, "status").returncode, 0)

    def corrupt_copies(self):
        """Copies of a store, each with one page overwritten, that open and fail quick_check."""
        self.sql("CREATE TABLE notes(body TEXT)")
        self.sql("CREATE INDEX notes_by_body ON notes(body)")
        for i in range(200):
            self.sql("INSERT INTO notes VALUES (?)", f"ghi chú {i} " * 40)
        self.sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with open(self.db, "rb") as f:
            data = f.read()
        page, copies = 4096, []
        for n in range(2, len(data) // page, 7):
            bad = os.path.join(self.dir, f"bad-{n}.db")
            with open(bad, "wb") as f:
                f.write(data[:n * page] + b"\x0d" + b"\xee" * (page - 1) + data[(n + 1) * page:])
            try:
                damaged = self.sql("PRAGMA quick_check", db=bad) != [("ok",)]
            except sqlite3.DatabaseError:
                damaged = True  # so damaged that the check itself stops
            if damaged and self.sql("PRAGMA user_version", db=bad) == self.sql(
                    "PRAGMA user_version"):
                copies.append(bad)
        self.assertGreater(len(copies), 5)
        return copies

    def test_a_corrupt_store_is_refused_by_the_daemon_and_reported_by_check(self):
        for bad in self.corrupt_copies():
            r = self.run_fast("run", db=bad)
            self.assertEqual(r.returncode, EX_IOERR, (bad, r.stderr))
            # refused by the check at start (after the line that it serves, since nothing
            # serves reads without --listen), or earlier by SQLite opening it: one error line
            lines = r.stderr.strip().splitlines()
            self.assertRegex(lines[-1], "^convene: .*(failed its check|malformed)")
            self.assertEqual([x for x in lines[:-1] if "serving" not in x], [], r.stderr)
            self.assertNotIn("services that write", r.stderr)
            r = self.run_fast("check", db=bad)
            self.assertEqual(r.returncode, EX_IOERR, (bad, r.stderr))
            self.assertRegex(r.stdout + r.stderr, "integrity_check|malformed")
        r = self.run_fast("check", "store")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("integrity_check: ok", r.stdout)

    def test_a_corrupt_store_is_served_for_reading_only_and_says_so(self):
        bad = self.corrupt_copies()[0]
        env = self.env()
        env["CONVENE_DB"] = bad
        d = Server(self, env=env)
        d.wait_for(lambda e: e["msg"].startswith("serving HTTP"))
        entry = d.wait_for(lambda e: e["level"] == "error", deadline=30)
        self.assertIn("failed its check at start", entry["msg"])
        self.assertIn("served for reading only", entry["msg"])
        self.assertEqual(d.get("/login").status, 200)
        r = d.login("admin", "whatever-password")
        self.assertEqual(r.status, 503, r.body)
        self.assertIn("served for reading only", r.body.decode())
        self.assertIsNone(d.proc.poll())
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(timeout=60), 0)

    def test_the_services_that_write_start_only_after_the_check_passed(self):
        self.tree()
        d = Server(self)
        seen = []
        d.wait_for(lambda e: seen.append(e["msg"]) or e["msg"].startswith("scheduler started"),
                   deadline=60)
        http = next(i for i, m in enumerate(seen) if m.startswith("serving HTTP"))
        checked = next(i for i, m in enumerate(seen) if m.startswith("store checked"))
        # the server answers reads before the check; the scheduler (which writes) after it
        self.assertLess(http, checked)
        self.assertEqual(len(seen) - 1, max(i for i, m in enumerate(seen)
                                            if m.startswith("scheduler started")))
        self.assertLess(checked, len(seen) - 1)
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(timeout=60), 0)

    def test_a_parent_cycle_written_behind_its_back_makes_nothing_spin(self):
        self.tree()
        self.ok("congress", "plan", "LS-TP-VT", "VIII")
        # LS under its own grandchild: a cycle no command of convene could make
        self.sql("UPDATE orgs SET parent_id = (SELECT id FROM orgs WHERE code = 'LS-TP-VT') "
                 "WHERE code = 'LS'")
        for args in (("status", "LS"), ("status",), ("org", "tree"), ("org", "tree", "LS"),
                     ("org", "move", "LS-TP", "LS"), ("work", "list", "--org", "LS"),
                     ("person", "list", "--org", "LS"), ("report", "progress", "LS"),
                     ("inspection", "list", "LS")):
            r = self.run_fast(*args)
            if r.returncode != 0:
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, (args, r.stderr))
        # status reads the roll-ups and walks nothing; a command that walks names the cycle
        r = self.run_fast("org", "tree", "LS")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cycle", r.stderr)
        d = Run(self).serving()
        self.ok("congress", "held", "LS-TP-VT", "--on", "2020-05-20", "--override", "test")
        wait_until(lambda: "congress.held" in d.text(), "the daemon to take the event")
        self.assertEqual(d.stop()[0], 0)
        r = self.run_fast("check")
        self.assertEqual(r.returncode, 65, r.stdout + r.stderr)
        self.assertIn("cycle", r.stdout)


class PathTest(FaultTest):
    def fifo(self, name):
        path = os.path.join(self.dir, name)
        os.mkfifo(path)
        return path

    def test_fifos_are_refused_at_once_everywhere_a_file_is_read_or_written(self):
        self.tree()
        self.ok("congress", "plan", "LS-TP", "XVI")
        self.ok("plugin", "enable", "import-csv")
        self.ok("plugin", "enable", "report-text")
        doc = self.js("doc", "add", "LS-TP", "Báo cáo", "--kind", "other")["id"]
        real = os.path.join(self.dir, "du-thao.txt")
        with open(real, "w") as f:
            f.write("dự thảo")
        self.ok("doc", "version", str(doc), real, "--by", "Tiểu ban Văn kiện")
        rnd = self.js("round", "open", str(doc), "--deadline", "2020-06-14", "--children",
                      "LS-TP")["id"]
        pkg = os.path.join(self.dir, "pkg")
        os.mkdir(pkg)
        with open(os.path.join(pkg, "init.lua"), "w") as f:
            f.write("-- nothing\n")
        cases = [("import", self.fifo("orgs.csv"), "--as", "orgs"),
                 ("doc", "version", str(doc), self.fifo("v2.docx"), "--by", "A"),
                 ("round", "respond", str(rnd), "LS-TP-VT", "--file", self.fifo("y-kien.docx")),
                 ("script", "test", pkg, self.fifo("scenario.lua")),
                 ("doc", "get", str(doc), "--output", self.fifo("out.docx")),
                 ("report", "progress", "LS", "--output", self.fifo("report.txt"))]
        for args in cases:
            before = self.snapshot()
            r = self.run_fast(*args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn("not a regular file", r.stderr, args)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            self.assertEqual(self.snapshot(), before, args)


class ExitCodeTest(FaultTest):
    def test_a_writer_that_waits_past_the_busy_timeout_exits_75(self):
        con = sqlite3.connect(self.db, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            r = self.run_cv("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        finally:
            con.execute("ROLLBACK")
            con.close()
        self.assertEqual(r.code, 75, r.err)
        self.assertIn("busy", r.err)

    def test_a_read_only_store_exits_74(self):
        env = self.env()

        def drop():  # root writes anywhere: the command runs as nobody
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
        parent = os.path.dirname(self.dir)
        os.chmod(parent, os.stat(parent).st_mode | 0o005)
        os.chmod(self.db, 0o444)
        os.chmod(self.dir, 0o555)
        try:
            p = subprocess.run([BIN, "org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province"],
                               capture_output=True, text=True, env=env, timeout=FAST,
                               preexec_fn=drop)
        finally:
            os.chmod(self.dir, 0o755)
        self.assertEqual(p.returncode, EX_IOERR, p.stderr)

    def test_help_lists_only_subcommands_that_exist(self):
        usage = self.ok("--help").out
        listed = re.findall(r"^  convene ([a-z-]+) ([a-z-]+(?:\|[a-z-]+)+)", usage, re.M)
        self.assertGreaterEqual(len(listed), 15)
        for group, subs in listed:
            for sub in subs.split("|"):
                r = self.run_fast(group, sub)
                self.assertNotIn("unknown command", r.stderr, f"{group} {sub}")


if __name__ == "__main__":
    main()
