"""test_backup.py: backups and restore end to end. Backups taken while four writer processes and
the daemon write all pass their checks and hold a prefix of the live journal; kill -9 at random
instants of a backup (20 times, seeded) never harms earlier backups or the live store and never
leaves a half-written file under a backup's name; a restored store equals its source at the
backup's event and works (status, journal, run); restore is refused under a running daemon; the
nightly job keeps the right files under a simulated clock, and a failed backup is journaled,
notified and deletes nothing; SIGTERM during the daemon's backup stops it cleanly."""
import getpass
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time

from harness import BIN, EX_TEMPFAIL, EX_USAGE, SOURCE, StoreTest, main


def read(path):
    with open(path) as f:
        return f.read()


def rows(path, query, *args):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def tables(path, skip_events_after=None):
    """Every row of every table but the backup's own records: what 'the same data' means."""
    out = {}
    for (t,) in rows(path, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        q = f'SELECT * FROM "{t}"'
        if t == "events" and skip_events_after is not None:
            q += f" WHERE id <= {int(skip_events_after)}"
        if t == "sqlite_sequence":
            continue  # the restore's own event moved it
        if t == "settings":
            q += " WHERE key <> 'backup.last'"
        out[t] = rows(path, q + " ORDER BY 1")
    return out



# A tree for the kill and SIGTERM tests: 63 provinces, 693 districts, 8,000 grassroots
# organisations and CELLS + 1 cells, each with a 2020-2025 congress; deterministic.
FILL_SQL = """
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'test');
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
  VALUES (1, 'VN', 'Trung ương', 'national', '', NULL, 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 63)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 1 + i, printf('P%02d', i), printf('Đảng bộ tỉnh %d', i), 'province', '', 1, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 692)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 100 + i, printf('P%02d-D%02d', i / 11 + 1, i % 11), printf('Đảng bộ huyện %d', i),
       'district', 'district', 2 + i / 11, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 7999)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 1000 + i, printf('G%05d', i), printf('Đảng bộ cơ sở %d', i), 'grassroots', 'ward',
       100 + i % 693, 5 + (i * 7919) % 10 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < CELLS)
INSERT INTO orgs(id, code, name, level, kind, parent_id, members)
SELECT 100000 + i, printf('C%06d', i), printf('Chi bộ %d', i), 'cell', '', 1000 + i % 8000,
       15 + (i * 104729) % 10 FROM n;
INSERT INTO congresses(org_id, term_id, ordinal, kind, planned_start, status)
SELECT o.id, t.id, 10, CASE WHEN o.level IN ('grassroots', 'cell') THEN 'members'
                            ELSE 'delegates' END, '2020-05-01', 'planned'
FROM orgs o, terms t WHERE t.code = '2020-2025';
DELETE FROM settings WHERE key = 'rollups.bulk';
COMMIT;
"""


class BackupTest(StoreTest):
    def daemon(self):
        log = os.path.join(self.dir, "run.log")
        with open(log, "w") as err:
            proc = subprocess.Popen([BIN, "run", "--poll-ms", "50"], stderr=err, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        self.wait_for(lambda: "scheduler started" in read(log), proc)
        return proc, log

    def wait_for(self, cond, proc=None, deadline=60.0):
        end = time.monotonic() + deadline
        while not cond():
            if proc is not None:
                self.assertIsNone(proc.poll(), "the daemon exited")
            self.assertLess(time.monotonic(), end, "condition not reached in time")
            time.sleep(0.02)

    def stop(self, proc):
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=10), 0)

    def verify(self, path):
        return self.js("backup", "verify", path)

    def assert_journal_prefix(self, backup):
        mine = rows(backup, "SELECT * FROM events ORDER BY id")
        live = rows(self.db, "SELECT * FROM events ORDER BY id LIMIT ?", len(mine))
        self.assertEqual(mine, live, f"{backup}: its journal is not a prefix of the live one")
        return len(mine)

    def fill(self, cells):
        """A store big enough that a backup takes measurable time: 8,000 grassroots organisations
        and `cells` cells with their congresses, written in one transaction under the store's
        bulk protocol (roll-ups recomputed once at the end)."""
        con = sqlite3.connect(self.db)
        con.executescript(FILL_SQL.replace("CELLS", str(cells - 1)))
        con.close()
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province", "--parent", "VN")

    def test_backups_while_four_writers_and_the_daemon_write(self):
        self.ok("org", "add", "VN", "Trung ương", "--level", "national")
        backups = os.path.join(self.dir, "nightly")
        os.mkdir(backups)
        self.ok("backup", "config", "--dir", backups)
        proc, _ = self.daemon()
        stop = threading.Event()
        written, errors = [0] * 4, []

        def writer(k):
            i = 0
            while not stop.is_set():
                r = self.run_cv("org", "add", f"W{k}-{i}", f"Chi bộ {k}.{i}", "--level",
                                "province", "--parent", "VN", "--members", str(i % 90))
                if r.code != 0:
                    errors.append(r.err)
                i += 1
                written[k] = i

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        try:
            made = []
            for n in range(6):
                self.wait_for(lambda: min(written) > n)  # the writers are writing
                dest = os.path.join(self.dir, f"b{n}.db")
                made.append(self.js("backup", dest))
            # And one the daemon makes on its thread pool: the nightly job, due now.
            con = sqlite3.connect(self.db, timeout=10)
            con.execute("UPDATE jobs SET next_at = 0 WHERE name = 'builtin.backup.nightly'")
            con.commit()
            con.close()
            self.wait_for(lambda: rows(self.db, "SELECT count(*) FROM events WHERE type = "
                                                "'backup.made' AND data ->> 'by' = 'job'")[0][0],
                          proc)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.stop(proc)
        self.assertEqual(errors, [])
        [(job_file,)] = rows(self.db, "SELECT data ->> 'file' FROM events WHERE type = "
                                      "'backup.made' AND data ->> 'by' = 'job'")
        self.assertGreater(sum(written), 20)
        ids = []
        for b in made + [{"file": job_file}]:
            v = self.verify(b["file"])
            if "last_event_id" in b:
                self.assertEqual(v["last_event_id"], b["last_event_id"])
            self.assertEqual(self.assert_journal_prefix(b["file"]), v["last_event_id"])
            ids.append(v["last_event_id"])
        self.assertEqual(ids[:6], sorted(ids[:6]))
        self.assertEqual(rows(self.db, "PRAGMA integrity_check"), [("ok",)])

    def test_kill_9_during_a_backup_harms_nothing(self):
        self.fill(80000)
        first = os.path.join(self.dir, "first.db")
        t0 = time.monotonic()
        self.ok("backup", first)
        took = time.monotonic() - t0
        self.assertGreater(took, 0.05, "the store is too small for a measurable backup")
        rng = random.Random(int(os.environ.get("CV_BACKUP_SEED", "16")))
        intact, killed = [first], 0
        for i in range(20):
            dest = os.path.join(self.dir, f"b{i:02d}.db")
            proc = subprocess.Popen([BIN, "backup", dest], env=self.env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, took * 0.7))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            for b in intact:
                self.verify(b)
            if os.path.exists(dest):  # the kill came after the rename: a whole, checked copy
                self.verify(dest)
                intact.append(dest)
            else:
                killed += 1  # mid-way: before the rename
            names = [n for n in os.listdir(self.dir) if n.endswith(".db")]
            self.assertEqual(sorted(names), sorted(["convene.db"] + [os.path.basename(b)
                                                                     for b in intact]))
            self.assertEqual(rows(self.db, "PRAGMA integrity_check"), [("ok",)])
        print(f"\n  kill -9 test: {killed} of 20 backups killed before their rename, "
              f"{len(intact) - 1} renamed into place first; one backup takes {took:.2f} s")
        self.assertGreaterEqual(killed, 8)
        # A partial file left by a kill is taken over by the next backup to that name.
        again = self.js("backup", os.path.join(self.dir, "b00.db"))
        self.verify(again["file"])
        self.assertEqual(rows(self.db, "PRAGMA integrity_check"), [("ok",)])

    def test_sigterm_during_the_daemons_backup_stops_it_cleanly(self):
        self.fill(80000)
        d = os.path.join(self.dir, "nightly")
        os.mkdir(d)
        self.ok("backup", "config", "--dir", d)
        proc, log = self.daemon()
        con = sqlite3.connect(self.db, timeout=10)
        con.execute("UPDATE jobs SET next_at = 0 WHERE name = 'builtin.backup.nightly'")
        con.commit()
        con.close()
        self.wait_for(lambda: "backup started" in read(log), proc)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - t0, 2.0, "the daemon took long to stop")
        made = rows(self.db, "SELECT data ->> 'file' FROM events WHERE type = 'backup.made'")
        files = [os.path.join(d, n) for n in os.listdir(d)]
        # Either the shutdown stopped the backup (nothing left, nothing journaled) or the backup
        # had finished (a checked file, journaled).
        self.assertEqual(sorted(files), sorted(f for (f,) in made))
        for f in files:
            self.verify(f)
        print(f"\n  SIGTERM during a backup: {'finished' if files else 'stopped'} in "
              f"{time.monotonic() - t0:.2f} s")
        self.assertEqual(rows(self.db, "PRAGMA integrity_check"), [("ok",)])

    def test_restore_gives_the_source_at_its_event_and_a_working_store(self):
        self.ok("org", "add", "VN", "Trung ương", "--level", "national")
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province", "--parent", "VN")
        self.ok("congress", "plan", "LS", "XVII", "--start", "2020-10-10")
        before = self.snapshot()
        src = os.path.join(self.dir, "b.db")
        b = self.js("backup", src)
        self.ok("org", "add", "BK", "Tỉnh Bắc Kạn", "--level", "province", "--parent", "VN")
        self.ok("work", "add", "LS", "Dự thảo báo cáo chính trị", "--group", "Văn kiện")
        live_before_restore = tables(self.db)
        r = self.js("restore", src)
        self.assertEqual(r["last_event_id"], b["last_event_id"])
        # The replaced store is kept aside whole.
        self.assertTrue(os.path.basename(r["replaced"]).startswith("convene.db.replaced-"))
        self.assertEqual(tables(r["replaced"]), live_before_restore)
        # The data equals the source at the backup's event; the restore itself is journaled.
        restored = tables(self.db, skip_events_after=b["last_event_id"])
        self.assertEqual({t: sorted(v) for t, v in restored.items()},
                         {t: sorted(v) for t, v in before.items() if t in restored})
        self.assertEqual(rows(self.db, "SELECT type FROM events WHERE id > ?", b["last_event_id"]),
                         [("store.restored",)])
        # status, journal and the daemon work on it.
        self.assertIn("Tỉnh Lạng Sơn", self.ok("status", "LS").out)
        self.refused("org", "show", "BK")
        self.assertEqual(self.js("journal")[-1]["type"], "store.restored")
        proc, _ = self.daemon()
        self.ok("org", "add", "CB", "Tỉnh Cao Bằng", "--level", "province", "--parent", "VN")
        self.stop(proc)

    def test_restore_is_refused_while_a_daemon_serves_and_a_bad_source(self):
        self.ok("org", "add", "VN", "Trung ương", "--level", "national")
        src = os.path.join(self.dir, "b.db")
        self.ok("backup", src)
        proc, _ = self.daemon()
        r = self.refused("restore", src, code=EX_TEMPFAIL, says="daemon")
        self.assertIn(str(proc.pid), r.err)
        self.stop(proc)
        junk = os.path.join(self.dir, "junk.db")
        with open(junk, "wb") as f:
            f.write(b"SQLite format 3\0" + os.urandom(4000))
        self.refused("restore", junk)
        self.refused("restore", os.path.join(self.dir, "missing.db"))
        self.refused("restore", self.db, code=EX_USAGE, says="the store itself")
        self.refused("backup", "verify", junk)
        self.refused("backup", self.dir, code=EX_USAGE, says="directory")
        live = os.path.join(self.dir, "live.db")
        for name in (live, live + "-wal"):
            open(name, "wb").close()
        self.refused("backup", live, code=EX_TEMPFAIL, says="live store")
        self.assertEqual(os.path.getsize(live), 0)
        self.refused("backup", "config", "--dir", "relative/path", code=EX_USAGE)
        self.refused("backup", "config", "--at", "25:00", code=EX_USAGE)
        self.refused("backup", "config", "--daily", "0", "--weekly", "0", code=EX_USAGE)
        self.assertFalse([n for n in os.listdir(self.dir) if "replaced" in n])

    def test_nightly_retention_under_a_simulated_clock(self):
        self.ok("org", "add", "VN", "Trung ương", "--level", "national")
        d = os.path.join(self.dir, "nightly")
        os.mkdir(d)
        other = os.path.join(d, "notes.txt")  # not a backup: never touched
        with open(other, "w") as f:
            f.write("x")
        self.ok("backup", "config", "--dir", d, "--daily", "3", "--weekly", "2", "--at", "01:15")
        # From Friday 22 May 2020 09:00 to Saturday 20 June 00:00: 28 nightly backups.
        self.ok("jobs", "simulate", "--until", "2020-06-20T00:00")
        # The newest of each of the last 3 days, and of each of the last 2 weeks (Mon-Sun).
        self.assertEqual(sorted(os.listdir(d)),
                         ["convene-20200614-011500.db", "convene-20200617-011500.db",
                          "convene-20200618-011500.db", "convene-20200619-011500.db",
                          "notes.txt"])
        made = rows(self.db, "SELECT count(*) FROM events WHERE type = 'backup.made'")[0][0]
        self.assertEqual(made, 28)
        for n in os.listdir(d):
            if n.endswith(".db"):
                self.verify(os.path.join(d, n))
        last = self.js("status")["last_backup"]
        self.assertEqual(last["file"], os.path.join(d, "convene-20200619-011500.db"))
        self.assertIn("Last good backup: 2020-06-19 01:15", self.ok("status").out)
        # A failed night (its temporary name is taken by a directory) is journaled and notified
        # to backup.notify, and deletes nothing.
        self.ok("contact", "add", "admins", "--email", "it@ls.vn")
        # and every admin account with an e-mail address (a disabled one is left out)
        pw = os.path.join(self.dir, "pw")
        with open(pw, "w") as f:
            f.write("mật khẩu đủ dài 2020\n")
        self.ok("account", "add", "qt1", "Quản trị", "--email", "qt1@ls.vn", "--password-file", pw)
        self.ok("grant", "add", "qt1", "admin")  # the owner's bootstrap rights end here
        self.ok("--as", "qt1", "account", "set", "qt1", "--unix-user", getpass.getuser())
        self.ok("account", "add", "qt2", "Quản trị", "--email", "qt2@ls.vn", "--password-file", pw)
        self.ok("grant", "add", "qt2", "admin")
        self.ok("account", "disable", "qt2")
        os.mkdir(os.path.join(d, ".convene-20200620-011500.db.partial"))
        self.ok("jobs", "simulate", "--until", "2020-06-20T12:00")
        self.assertEqual(len([n for n in os.listdir(d) if n.startswith("convene-")]), 4)
        [(data,)] = rows(self.db, "SELECT data FROM events WHERE type = 'backup.failed'")
        self.assertIn("convene-20200620-011500.db", json.loads(data)["file"])
        self.assertEqual(rows(self.db, "SELECT channel, recipient FROM outbox WHERE key LIKE "
                                       "'backup.failed:%' ORDER BY recipient"),
                         [("smtp", "it@ls.vn"), ("smtp", "qt1@ls.vn")])
        self.assertEqual(self.js("status")["last_backup"]["file"],
                         os.path.join(d, "convene-20200619-011500.db"))


if __name__ == "__main__":
    main()
