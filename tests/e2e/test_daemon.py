"""test_daemon.py: `convene run` on a real libuv loop: it serves one store alone, brings the CLI's
changes in through the journal within a second with one JSON log line per event, and shuts down
cleanly on SIGINT and SIGTERM with every handle closed."""
import signal
import time

from harness import EX_TEMPFAIL, Daemon, StoreTest, main


class DaemonTest(StoreTest):
    def start(self):
        d = Daemon(self, "--poll-ms", "50")
        d.wait_for(lambda e: e["msg"].startswith("serving"))
        return d

    def test_cli_change_reaches_the_daemon_soon(self):
        """The daemon polls every 50 ms here (200 ms by default): the change arrives well within
        a second on an idle machine; the bound is 5 s so that ASan on 2 busy cores cannot flake,
        and is still far below anything but polling (the next rescan is a minute away)."""
        d = self.start()
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        written = time.monotonic()
        entry = d.wait_for(lambda e: e.get("event") == "org.added", deadline=5.0)
        self.assertLess(time.monotonic() - written, 5.0)
        self.assertEqual(entry["component"], "journal")
        self.assertEqual(entry["data"]["name"], "Tỉnh Lạng Sơn")
        self.assertEqual(entry["level"], "info")
        self.assertEqual(d.stop(signal.SIGTERM), 0)

    def test_one_log_line_per_event_in_journal_order(self):
        d = self.start()
        self.ok("org", "add", "A", "Tỉnh A", "--level", "province")
        self.ok("org", "add", "B", "Huyện B", "--level", "district", "--parent", "A")
        self.ok("congress", "plan", "B", "XXIV")
        seen = [d.wait_for(lambda e: "event" in e, deadline=10.0) for _ in range(3)]
        self.assertEqual([e["event"] for e in seen], ["org.added", "org.added", "congress.planned"])
        self.assertEqual([e["event_id"] for e in seen], sorted(e["event_id"] for e in seen))
        self.assertEqual(d.stop(signal.SIGINT), 0)

    def test_second_daemon_on_the_same_store_is_refused(self):
        d = self.start()
        r = self.run_cv("run")
        self.assertEqual(r.code, EX_TEMPFAIL)
        self.assertIn(f"another convene daemon (pid {d.proc.pid})", r.err)
        self.assertEqual(d.stop(signal.SIGTERM), 0)

    def test_sigterm_and_sigint_close_every_handle(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            d = self.start()
            d.proc.send_signal(signum)
            d.wait_for(lambda e: e["msg"] == "stopped; every handle closed")
            self.assertEqual(d.proc.wait(timeout=10), 0)

    def test_a_killed_daemon_does_not_block_the_next(self):
        d = self.start()
        self.assertEqual(d.stop(signal.SIGKILL), -signal.SIGKILL)
        d2 = self.start()
        self.assertEqual(d2.stop(signal.SIGTERM), 0)


if __name__ == "__main__":
    main()
