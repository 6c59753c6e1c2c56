"""test_http.py: `convene run --listen` serves HTTP/1.1 on the daemon's loop over real sockets:
JSON reads with ETags, problems with the CLI's message, reports rendered on the thread pool, and
every bound (head bytes, body bytes, a slow head, connections in all and per address) refused
without harming the other clients; SIGTERM still stops it within a second."""
import os
import signal
import socket
import sqlite3
import subprocess
import time

from harness import StoreTest, main
from httpd import EventStream, Server, add_account, closed_by_peer, token_of


class HttpTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district",
                "--parent", "LS")
        for name in ("csv", "json", "html", "text", "xlsx"):
            self.ok("plugin", "enable", "report-" + name)
        add_account(self, "xem", "viewer", "LS")
        self.viewer = token_of(self, "xem")

    def server(self, *args, **kw):
        srv = Server(self, *args, **kw).serving()
        srv.headers = dict(self.viewer)
        return srv

    def assert_problem(self, r, status, detail=None):
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.headers["Content-Type"], "application/problem+json")
        p = r.json()
        self.assertEqual(p["status"], status)
        if detail is not None:
            self.assertEqual(p["detail"], detail)
        return p

    def test_status_is_the_same_json_as_the_cli_with_an_etag(self):
        srv = self.server()
        r = srv.get("/api/v1/status/LS")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        self.assertEqual(r.json(), self.js("status", "LS"))
        again = srv.get("/api/v1/status/LS", {"If-None-Match": r.headers["ETag"]})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, b"")
        self.ok("org", "add", "LS-X", "Huyện X", "--level", "district", "--parent", "LS")
        changed = srv.get("/api/v1/status/LS", {"If-None-Match": r.headers["ETag"]})
        self.assertEqual(changed.status, 200)
        self.assertNotEqual(changed.headers["ETag"], r.headers["ETag"])

    def test_errors_are_problems_with_the_clis_message(self):
        srv = self.server()
        cli = self.run_cv("status", "NOPE")
        self.assertNotEqual(cli.code, 0)
        line = cli.err.strip().removeprefix("convene: ")
        self.assert_problem(srv.get("/api/v1/status/NOPE"), 404, line)
        self.assert_problem(srv.get("/api/v1/nothing-here"), 404)
        self.assert_problem(srv.get("/elsewhere"), 404)
        r = srv.request("POST", "/api/v1/status/LS")
        self.assert_problem(r, 405)
        self.assertEqual(r.headers["Allow"], "GET, HEAD")

    def test_reports_download_in_every_format_from_the_thread_pool(self):
        srv = self.server()
        for fmt in ("csv", "json", "html", "text"):
            cli = self.ok("report", "progress", "LS", "--format", fmt)
            r = srv.get(f"/api/v1/reports/progress/LS?format={fmt}")
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.body.decode().replace("\r\n", "\n"), cli.out, fmt)
        r = srv.get("/api/v1/reports/progress/LS?format=xlsx")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.body.startswith(b"PK"), "an XLSX file is a zip")
        self.assertIn("spreadsheetml", r.headers["Content-Type"])
        self.assert_problem(srv.get("/api/v1/reports/progress/LS?format=pdf"), 404)
        self.assert_problem(srv.get("/api/v1/reports/nonesuch/LS"), 404)

    def test_a_body_over_the_bound_is_413_and_changes_nothing(self):
        srv = self.server()
        before = self.snapshot()
        big = b"{" + b" " * (64 * 1024) + b"}"
        self.assert_problem(srv.request("POST", "/api/v1/status/LS", body=big), 413)
        # Announced by Content-Length and never sent: refused before the body is read.
        s = srv.raw_socket()
        s.sendall(b"POST /api/v1/status/LS HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 100000000000\r\n\r\n")
        self.assertIn(b" 413 ", closed_by_peer(s).split(b"\r\n")[0])
        # Chunked, with no length announced: counted as it comes, still refused.
        c = srv.conn()
        c.putrequest("POST", "/api/v1/status/LS")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        for _ in range(20):
            c.send(b"1000\r\n" + b"x" * 4096 + b"\r\n")
        c.send(b"0\r\n\r\n")
        self.assertEqual(c.getresponse().status, 413)
        c.close()
        self.assertEqual(srv.get("/api/v1/status/LS").status, 200)
        self.assertEqual(self.snapshot(), before)

    def test_an_oversized_head_is_refused_and_others_are_served(self):
        srv = self.server("--header-bytes", "8192")
        s = srv.raw_socket()
        s.sendall(b"GET /api/v1/status/LS HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 +
                  b"\r\n\r\n")
        status = closed_by_peer(s).split(b"\r\n")[0]
        self.assertRegex(status, rb"^HTTP/1\.1 431 ")
        self.assertEqual(srv.get("/api/v1/status/LS").status, 200)

    def test_a_slow_head_is_cut_off_while_others_are_served(self):
        srv = self.server("--header-timeout", "1")
        slow = srv.raw_socket()
        slow.sendall(b"GET /api/v1/status/LS HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        slow.settimeout(0.2)
        closed = False
        while time.monotonic() - started < 10 and not closed:
            try:
                slow.sendall(b"X-Drip: 1\r\n")  # a byte at a time keeps an idle timer alive
                closed = slow.recv(1) == b""
            except socket.timeout:
                self.assertEqual(srv.get("/api/v1/status/LS").status, 200)
            except (ConnectionResetError, BrokenPipeError):
                closed = True
        self.assertTrue(closed, "the slow client was never cut off")
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(srv.get("/api/v1/status/LS").status, 200)

    def test_a_slow_body_is_cut_off_at_the_request_deadline(self):
        srv = self.server("--request-timeout", "1")
        slow = srv.raw_socket()
        slow.sendall(b"POST /api/v1/org/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 1000\r\n\r\n{")
        started = time.monotonic()
        slow.settimeout(0.2)
        closed = False
        while time.monotonic() - started < 10 and not closed:
            try:
                slow.sendall(b" ")
                closed = slow.recv(1) == b""
            except socket.timeout:
                pass
            except (ConnectionResetError, BrokenPipeError):
                closed = True
        self.assertTrue(closed, "the slow body was never cut off")
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(srv.get("/api/v1/status/LS").status, 200)

    def test_work_past_its_deadline_is_503_and_the_server_goes_on(self):
        add_account(self, "vanphong", "office", "LS")
        office = token_of(self, "vanphong")
        srv = self.server("--request-deadline-ms", "300")
        lock = sqlite3.connect(self.db, isolation_level=None, timeout=10)
        lock.execute("BEGIN IMMEDIATE")  # the change's work waits for the store (5 s at most)
        try:
            started = time.monotonic()
            r = srv.request("POST", "/api/v1/org/add", {"code": "LS-1", "name": "Phường 1",
                                                        "level": "grassroots", "parent": "LS-TP"},
                            office)
            waited = time.monotonic() - started
            self.assert_problem(r, 503)
            self.assertEqual(r.headers["Retry-After"], "1")
            self.assertLess(waited, 4)  # the deadline, not the store's busy timeout
            self.assertEqual(srv.get("/api/v1/status/LS").status, 200)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        # The late work finishes once the store is free; its answer is dropped, its change made.
        end = time.monotonic() + 10
        while srv.get("/api/v1/org/show?code=LS-1").status != 200 and time.monotonic() < end:
            time.sleep(0.05)
        self.assertEqual(srv.get("/api/v1/org/show?code=LS-1").status, 200)
        r = srv.request("POST", "/api/v1/org/add", {"code": "LS-2", "name": "Phường 2",
                                                    "level": "grassroots", "parent": "LS-TP"},
                        office)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(srv.stop(), 0)

    def test_a_change_retried_with_its_key_after_a_503_is_made_once(self):
        """The answer missed its deadline, the change goes on: a client that retries with the
        same Idempotency-Key (as the README says to) gets one change and its answer, never a
        second change nor a conflict."""
        add_account(self, "vanphong", "office", "LS")
        office = {**token_of(self, "vanphong"), "Idempotency-Key": "them-phuong-3"}
        srv = self.server("--request-deadline-ms", "300")
        body = {"code": "LS-3", "name": "Phường 3", "level": "grassroots", "parent": "LS-TP"}
        lock = sqlite3.connect(self.db, isolation_level=None, timeout=10)
        lock.execute("BEGIN IMMEDIATE")
        try:
            self.assert_problem(srv.request("POST", "/api/v1/org/add", body, office), 503)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        end = time.monotonic() + 10
        r = srv.request("POST", "/api/v1/org/add", body, office)
        while r.status == 503 and time.monotonic() < end:
            r = srv.request("POST", "/api/v1/org/add", body, office)
        # The late work and the retry wait for the same lock; whichever takes it second finds
        # the first's answer stored with the change, and replays it.
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["code"], "LS-3")
        again = srv.request("POST", "/api/v1/org/add", body, office)
        self.assertEqual((again.status, again.headers["Idempotent-Replayed"]), (200, "true"))
        self.assertEqual(again.json(), r.json())
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("SELECT count(*) FROM events e JOIN orgs o ON "
                                         "o.id = e.org_id WHERE e.type = 'org.added' AND "
                                         "o.code = 'LS-3'").fetchone()[0], 1)
        finally:
            con.close()
        self.assertEqual(srv.stop(), 0)

    def test_too_many_connections_are_refused_without_harming_the_others(self):
        srv = self.server("--max-connections", "4", "--max-per-ip", "100")
        held = [srv.conn() for _ in range(3)]
        for c in held:
            c.request("GET", "/api/v1/status/LS", headers=self.viewer)
            self.assertEqual(c.getresponse().read()[:1], b"{")
        extra = srv.raw_socket()  # the 4th: allowed
        extra2 = srv.raw_socket()  # the 5th: closed at once, nothing sent
        self.assertEqual(closed_by_peer(extra2), b"")
        for c in held:  # the kept-alive connections still work
            c.request("GET", "/api/v1/status/LS", headers=self.viewer)
            self.assertEqual(c.getresponse().status, 200)
        extra.close()
        for c in held:
            c.close()
        self.assertTrue(served_again(srv), "a freed slot was never given to a new client")

    def test_connections_per_address_are_bounded(self):
        srv = self.server("--max-per-ip", "2")
        a, b = srv.raw_socket(), srv.raw_socket()
        c = srv.raw_socket()
        self.assertEqual(closed_by_peer(c), b"")
        a.close()
        b.close()
        self.assertTrue(served_again(srv), "a freed slot was never given to a new client")

    def test_unix_socket_and_the_stores_setting(self):
        path = os.path.join(self.dir, "http.sock")
        import sqlite3
        con = sqlite3.connect(self.db)
        con.execute("INSERT INTO settings(key, value) VALUES ('http.listen', ?)", (f"unix:{path}",))
        con.commit()
        con.close()
        srv = self.server(listen="")
        srv.listen = f"unix:{path}"
        self.assertEqual(srv.get("/api/v1/status/LS-TP").status, 200)
        self.assertEqual(oct(os.stat(path).st_mode & 0o777), "0o660")
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(path), "the socket file outlived the daemon")

    def test_sigterm_stops_within_a_second_with_clients_connected(self):
        srv = self.server()
        idle = srv.raw_socket()
        half = srv.raw_socket()
        half.sendall(b"GET /api/v1/status/LS HTTP/1.1\r\nHost")
        kept = srv.conn()
        kept.request("GET", "/api/v1/status/LS")
        kept.getresponse().read()
        started = time.monotonic()
        self.assertEqual(srv.stop(deadline=5), 0)
        self.assertLess(time.monotonic() - started, 1.0)
        srv.wait_for(lambda e: e["msg"] == "stopped; every handle closed", deadline=1)
        for s in (idle, half):
            s.close()
        kept.close()

    def test_events_stream_live_and_resume_after_last_event_id(self):
        srv = self.server()
        ev = EventStream(srv)
        self.addCleanup(ev.close)
        self.assertEqual(ev.status, 200)
        self.assertEqual(ev.headers["Content-Type"], "text/event-stream")
        self.ok("org", "add", "LS-A", "Huyện A", "--level", "district", "--parent", "LS")
        first = ev.next_event(timeout=5)
        self.assertEqual(first["event"], "org.added")
        self.assertEqual(first["data"]["data"]["name"], "Huyện A")
        self.ok("org", "add", "LS-B", "Huyện B", "--level", "district", "--parent", "LS")
        self.ok("org", "add", "LS-C", "Huyện C", "--level", "district", "--parent", "LS")
        second = ev.next_event(timeout=5)
        self.assertEqual(second["data"]["data"]["code"], "LS-B")
        ev.close()
        # A client that saw `first` reconnects and gets what it missed, in order.
        again = EventStream(srv, {"Last-Event-ID": first["id"]})
        self.addCleanup(again.close)
        self.assertEqual([again.next_event()["data"]["data"]["code"] for _ in range(2)],
                         ["LS-B", "LS-C"])
        self.assert_problem(srv.get("/api/v1/events?last_event_id=x"), 400)
        self.assertEqual(srv.stop(), 0)

    def test_the_openapi_document_is_valid_and_lists_every_operation(self):
        import jsonschema
        srv = self.server()
        srv.headers = {}  # public: no credentials needed
        r = srv.get("/api/v1/openapi.json")
        self.assertEqual(r.status, 200)
        doc = r.json()
        self.assertEqual(doc["openapi"], "3.1.0")
        self.assertTrue(doc["info"]["title"] and doc["info"]["version"])
        ids = []
        for path, item in doc["paths"].items():
            self.assertTrue(path.startswith("/api/v1/"), path)
            for method, op in item.items():
                self.assertIn(method, ("get", "post", "patch", "delete", "put"))
                ids.append(op["operationId"])
                self.assertIn("200", op["responses"])
                for p in op.get("parameters", []):
                    self.assertIn(p["in"], ("query", "path", "header"))
                    if p["in"] == "path":
                        self.assertTrue(p["required"])
                        self.assertIn("{" + p["name"] + "}", path)
                    jsonschema.Draft202012Validator.check_schema(p["schema"])
                body = op.get("requestBody", {}).get("content", {}).get("application/json")
                if body:
                    jsonschema.Draft202012Validator.check_schema(body["schema"])
                for resp in op["responses"].values():
                    if "$ref" in resp:
                        name = resp["$ref"].removeprefix("#/components/responses/")
                        self.assertIn(name, doc["components"]["responses"])
        self.assertEqual(len(ids), len(set(ids)), "operationIds must be unique")
        for schema in doc["components"]["schemas"].values():
            jsonschema.Draft202012Validator.check_schema(schema)
        ops = [op["name"] for op in self.js("ops")]
        self.assertTrue(ops)
        self.assertEqual(sorted(set(ops) - set(ids)), [], "operations missing from the document")
        # Each operation lives at its own path: a read under GET, a change under POST, PATCH or
        # DELETE.
        for op in self.js("ops"):
            item = doc["paths"]["/api/v1/" + op["name"].replace(".", "/")]
            [method] = [m for m, o in item.items() if o["operationId"] == op["name"]]
            self.assertIn(method, ("post", "patch", "delete") if op["writes"] else ("get",))

    def test_bad_listen_and_bounds_are_refused(self):
        for args, says in ((["--listen", "localhost:80"], "not a numeric IP address"),
                           (["--listen", "127.0.0.1:99999"], "expected HOST:PORT"),
                           (["--listen", "127.0.0.1:1", "--max-connections", "0"],
                            "http.max_connections must be a whole number between 1 and 100000")):
            r = subprocess.run([os.environ.get("CONVENE_BIN", "convene"), "run", *args],
                               capture_output=True, text=True, env=self.env(), timeout=30)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(says, r.stderr)


def served_again(srv, deadline=5.0):
    """Whether a new client is served within deadline (the server notices closed sockets on its
    next turn, so the first try may still find the slots taken)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if srv.get("/api/v1/status/LS").status == 200:
                return True
        except OSError:
            pass
    return False


if __name__ == "__main__":
    main()
