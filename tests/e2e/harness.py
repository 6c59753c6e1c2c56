"""harness.py: what every end-to-end test shares. Runs the built `convene` (CONVENE_BIN) against a
temporary store, proves that refused commands leave the store byte-for-byte as it was, and runs
the daemon (`convene run`) with its log lines in a queue. Runs under Debian's /usr/bin/python3;
standard library only."""
import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.environ.get("CONVENE_BIN", "convene")
SOURCE = os.environ.get("CONVENE_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))

EX_USAGE, EX_DATAERR, EX_TEMPFAIL, EX_NOPERM = 64, 65, 75, 77


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)


class StoreTest(unittest.TestCase):
    """A test case with a fresh store in a temporary directory, the clock fixed at NOW."""

    NOW = "2020-05-22T09:00"

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cv-e2e-")
        self.db = os.path.join(self.dir, "convene.db")
        self.ok("init")

    def tearDown(self):
        self.assert_every_event_has_an_actor()
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_every_event_has_an_actor(self):
        """Whatever a test did, every event it caused names who caused it (issue 10)."""
        if not os.path.exists(self.db):
            return
        con = sqlite3.connect(self.db)
        try:
            anonymous = con.execute(
                "SELECT count(*) FROM events WHERE actor_kind NOT IN "
                "('account','token','package','scheduler','plugin') OR actor_name = ''"
            ).fetchone()[0]
        finally:
            con.close()
        self.assertEqual(anonymous, 0, "events without an actor")

    def env(self):
        env = dict(os.environ)
        env["CONVENE_DB"] = self.db
        env["CONVENE_NOW"] = self.NOW
        return env

    def write_file(self, name, content):
        """Writes text (UTF-8) to name in the test's folder and returns its path."""
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
        return path

    def run_cv(self, *args, stdin=None):
        proc = subprocess.run([BIN, *args], capture_output=True, text=True, env=self.env(),
                              input=stdin, timeout=120)
        return Result(proc)

    def ok(self, *args):
        r = self.run_cv(*args)
        self.assertEqual(r.code, 0, f"convene {' '.join(args)} failed: {r.err}")
        return r

    def js(self, *args):
        return self.ok(*args, "--json").json()

    def snapshot(self):
        """Every row of every table, in a stable order: what 'unchanged' means."""
        con = sqlite3.connect(self.db)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
        finally:
            con.close()

    def refused(self, *args, code=None, says=None):
        """Runs a command that must fail with one line on stderr and change nothing."""
        before = self.snapshot()
        r = self.run_cv(*args)
        self.assertNotEqual(r.code, 0, f"convene {' '.join(args)} should have failed")
        if code is not None:
            self.assertEqual(r.code, code, r.err)
        lines = r.err.strip().splitlines()
        self.assertEqual(len(lines), 1, f"expected one line on stderr, got: {r.err!r}")
        self.assertTrue(lines[0].startswith("convene: "), lines[0])
        if says:
            self.assertIn(says, lines[0])
        self.assertEqual(self.snapshot(), before, "a refused command changed the store")
        return r


class Daemon:
    """A running `convene run ARGS` whose JSON log lines (its stderr) arrive in a queue. It is
    killed when the test ends, if it still runs (httpd.Server adds HTTP to it)."""

    def __init__(self, test, *args, env=None):
        self.proc = subprocess.Popen([BIN, "run", *args], stderr=subprocess.PIPE, text=True,
                                     env=env or test.env())
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        test.addCleanup(self.kill)

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for(self, predicate, deadline=10.0):
        """The first JSON log line for which predicate holds, within deadline seconds."""
        end = time.monotonic() + deadline
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("the daemon did not log the expected line in time")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            entry = json.loads(line)
            if predicate(entry):
                return entry

    def stop(self, signum=signal.SIGTERM, deadline=10):
        """Sends signum and returns the exit status once the daemon has ended."""
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=deadline)
        self._close()
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close()

    def _close(self):
        self.reader.join(timeout=5)
        if not self.reader.is_alive():
            self.proc.stderr.close()


def main():
    unittest.main(verbosity=2)
