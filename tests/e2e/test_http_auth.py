"""test_http_auth.py: who is calling over HTTP, on a real `convene run --listen`. Logins give a
cookie whose token is stored only as a hash; sessions end when idle 30 minutes or 12 hours after
login (injected clock, across restarts), at logout, at a password change and when the account is
disabled; changes from a browser need our Origin and the CSRF token; failed logins are limited
and journaled without telling whether the account exists; a change sent twice with one
Idempotency-Key is made once; lists come in pages; the statuses 400 401 403 404 409 413 415 422
429 carry the CLI's own message; an event stream shows each caller only its grants' subtrees."""
import hashlib
import json
import os
import sqlite3
import statistics
import time

from harness import StoreTest, main
from httpd import PASSWORD, EventStream, Server, add_account, token_of

NOW = "2020-05-22T09:00"


class HttpAuthTest(StoreTest):
    NOW = NOW

    def setUp(self):
        super().setUp()
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        for code, name in (("LS-A", "Huyện A"), ("LS-B", "Huyện B")):
            self.ok("org", "add", code, name, "--level", "district", "--parent", "LS")
        add_account(self, "vp", "office", "LS")
        add_account(self, "xem", "viewer", "LS-A")

    def server(self, env=None):
        return Server(self, env=env).serving()

    def assert_problem(self, r, status, detail=None):
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.headers["Content-Type"], "application/problem+json")
        if detail is not None:
            self.assertEqual(r.json()["detail"], detail)

    def cli_error(self, *args, account=None):
        env = self.env()
        if account:
            env["CONVENE_ACCOUNT"] = account
        import subprocess
        from harness import BIN
        r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        return r.err if hasattr(r, "err") else r.stderr.strip().removeprefix("convene: ")

    def sessions(self):
        con = sqlite3.connect(self.db)
        try:
            return con.execute("SELECT token_hash, closed_at FROM http_sessions").fetchall()
        finally:
            con.close()

    def test_login_sets_a_cookie_whose_token_is_stored_only_as_a_hash(self):
        srv = self.server()
        r = srv.login("vp", PASSWORD)
        self.assertEqual(r.status, 200, r.body)
        cookie = r.headers["Set-Cookie"]
        self.assertRegex(cookie, r"^convene=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$")
        token = cookie.split(";")[0].split("=", 1)[1]
        stored = self.sessions()
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored[0][0], hashlib.blake2b(token.encode(), digest_size=32).digest())
        with open(self.db, "rb") as f:
            self.assertNotIn(token.encode(), f.read())
        me = srv.get("/api/v1/session").json()
        self.assertEqual(me["login"], "vp")
        self.assertEqual(me["csrf_token"], r.json()["csrf_token"])
        self.assertEqual([g["role"] for g in me["grants"]], ["office"])
        self.assertEqual(srv.get("/api/v1/status/LS").json(), self.js("status", "LS"))

    def test_wrong_password_and_unknown_login_look_the_same(self):
        srv = self.server()
        times = {"vp": [], "nobody": []}
        for _ in range(3):
            for name in times:
                start = time.monotonic()
                r = srv.login(name, "not the password")
                times[name].append(time.monotonic() - start)
                self.assert_problem(r, 401, "wrong login or password")
        ratio = min(times["nobody"]) / min(times["vp"])  # the least disturbed of each
        # Without the dummy hash an unknown name would answer ~100 times sooner; the wide band
        # allows for a loaded machine.
        self.assertTrue(0.25 < ratio < 4.0, f"unknown/known login time ratio {ratio:.2f}")
        failed = [e for e in self.js("journal", "--type", "login.failed")]
        self.assertEqual(sorted(e["data"]["login"] for e in failed), ["nobody"] * 3 + ["vp"] * 3)

    def test_failed_logins_are_limited_with_growing_delays(self):
        srv = self.server()
        for _ in range(3):
            self.assert_problem(srv.login("vp", "wrong"), 401)
        self.assert_problem(srv.login("vp", "wrong"), 401)  # the 4th closes the door for 1 s
        r = srv.login("vp", PASSWORD)  # the right password is refused while it is closed
        self.assert_problem(r, 429, "too many failed logins; try again later")
        self.assertIn(r.headers["Retry-After"], ("1",))
        # An unknown name is limited exactly the same way.
        for _ in range(4):
            self.assert_problem(srv.login("ghost", "wrong"), 401)
        self.assert_problem(srv.login("ghost", "wrong"), 429)
        # Another account is not held back by these.
        self.assertEqual(srv.login("xem", PASSWORD).status, 200)

    def test_sessions_expire_idle_and_absolute_across_restarts(self):
        srv = self.server()
        srv.login("vp", PASSWORD)
        cookie = srv.headers
        self.assertEqual(srv.stop(), 0)
        env = self.env()
        env["CONVENE_NOW"] = "2020-05-22T09:29"  # 29 minutes later: still alive, and renewed
        srv = self.server(env)
        srv.headers = cookie
        self.assertEqual(srv.get("/api/v1/session").status, 200)
        self.assertEqual(srv.stop(), 0)
        env["CONVENE_NOW"] = "2020-05-22T09:58"  # 29 minutes after the last use
        srv = self.server(env)
        srv.headers = cookie
        self.assertEqual(srv.get("/api/v1/session").status, 200)
        self.assertEqual(srv.stop(), 0)
        env["CONVENE_NOW"] = "2020-05-22T10:29"  # 31 minutes idle
        srv = self.server(env)
        srv.headers = cookie
        self.assert_problem(srv.get("/api/v1/session"), 401,
                            "no session, or it has expired; log in again")
        # Absolute: used a minute ago, but opened more than 12 hours ago.
        srv.login("vp", PASSWORD)
        con = sqlite3.connect(self.db)
        con.execute("UPDATE http_sessions SET opened_at = opened_at - 12 * 3600 * 1000 - 1 "
                    "WHERE closed_at IS NULL")
        con.commit()
        con.close()
        self.assert_problem(srv.get("/api/v1/session"), 401)

    def test_logout_password_change_and_disabling_end_sessions(self):
        srv = self.server()
        srv.login("vp", PASSWORD)
        kept = dict(srv.headers)
        r = srv.request("DELETE", "/api/v1/session")
        self.assertEqual(r.status, 200)
        self.assertIn("Max-Age=0", r.headers["Set-Cookie"])
        srv.headers = kept
        self.assert_problem(srv.get("/api/v1/status/LS"), 401)
        srv.login("vp", PASSWORD)
        path = os.path.join(self.dir, "new-password")
        with open(path, "w") as f:
            f.write("một mật khẩu mới")
        self.ok("account", "passwd", "vp", "--password-file", path)
        self.assert_problem(srv.get("/api/v1/status/LS"), 401)
        srv.login("vp", "một mật khẩu mới")
        self.assertEqual(srv.get("/api/v1/status/LS").status, 200)
        self.ok("account", "disable", "vp")
        self.assert_problem(srv.get("/api/v1/status/LS"), 401)
        self.assert_problem(srv.login("vp", "một mật khẩu mới"), 401, "wrong login or password")

    def test_an_account_changes_its_own_password_with_its_current_one(self):
        srv = self.server()
        srv.login("vp", PASSWORD)
        new = "mật khẩu mới của văn phòng"
        r = srv.request("POST", "/api/v1/account/passwd",
                        {"login": "vp", "password": new, "current": "sai rồi"})
        self.assert_problem(r, 403, "account.passwd: the current password of vp is wrong")
        r = srv.request("POST", "/api/v1/account/passwd", {"login": "vp", "password": new})
        self.assert_problem(r, 403)
        r = srv.request("POST", "/api/v1/account/passwd",
                        {"login": "xem", "password": new, "current": PASSWORD})
        self.assert_problem(r, 403)
        r = srv.request("POST", "/api/v1/account/passwd",
                        {"login": "vp", "password": new, "current": PASSWORD})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["sessions_closed"], 1)
        self.assert_problem(srv.get("/api/v1/status/LS"), 401)
        con = sqlite3.connect(self.db)
        try:
            closed = con.execute("SELECT actor_kind, actor_name FROM events "
                                 "WHERE type = 'session.closed'").fetchall()
        finally:
            con.close()
        self.assertEqual(closed, [("account", "vp")])
        self.assert_problem(srv.login("vp", PASSWORD), 401, "wrong login or password")
        self.assertEqual(srv.login("vp", new).status, 200)
        # the CLI: the same rule as the account itself
        cur, nxt = (os.path.join(self.dir, n) for n in ("cur", "next"))
        for path, text in ((cur, new), (nxt, "lại một mật khẩu khác")):
            with open(path, "w") as f:
                f.write(text + "\n")
        self.refused("--as", "xem", "account", "passwd", "vp", "--password-file", nxt,
                     "--current-file", cur, code=77)
        self.refused("--as", "vp", "account", "passwd", "vp", "--password-file", nxt, code=77,
                     says="give the current password of vp")
        self.ok("--as", "vp", "account", "passwd", "vp", "--password-file", nxt, "--current-file",
                cur)
        self.assert_problem(srv.get("/api/v1/status/LS"), 401)
        self.assertEqual(srv.login("vp", "lại một mật khẩu khác").status, 200)

    def test_changes_from_a_browser_need_our_origin_and_the_csrf_token(self):
        srv = self.server()
        srv.login("vp", PASSWORD)
        body = {"code": "LS-C", "name": "Huyện C", "level": "district", "parent": "LS"}
        origin = f"http://127.0.0.1:{srv.port}"
        without = {"Cookie": srv.headers["Cookie"]}
        before = self.snapshot()
        full, srv.headers = srv.headers, {}
        for headers, says in (
                (without, "the X-CSRF-Token header is missing or wrong"),
                ({**without, "X-CSRF-Token": "0" * 64}, "the X-CSRF-Token header is missing"),
                ({**full, "Origin": "https://evil.example"}, "from another site"),
                ({**full, "Sec-Fetch-Site": "cross-site"}, "from another site")):
            r = srv.request("POST", "/api/v1/org/add", body, headers)
            self.assertEqual(r.status, 403, (headers, r.body))
            self.assertIn(says, r.json()["detail"])
        self.assertEqual(self.snapshot(), before)
        self.assert_problem(srv.request("POST", "/api/v1/session",
                                        {"login": "vp", "password": PASSWORD},
                                        {"Origin": "https://evil.example"}), 403)
        srv.headers = full
        r = srv.request("POST", "/api/v1/org/add", body,
                        {"Origin": origin, "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status, 200, r.body)
        # An API token is not sent by browsers on their own: no CSRF token needed.
        srv.headers = token_of(self, "vp")
        body["code"] = "LS-D"
        self.assertEqual(srv.request("POST", "/api/v1/org/add", body).status, 200)

    def test_each_status_carries_the_clis_message(self):
        srv = self.server()
        self.assert_problem(srv.get("/api/v1/status/LS"), 401)
        srv.headers = {"Authorization": "Bearer cvt_not-a-token"}
        self.assert_problem(srv.get("/api/v1/status/LS"), 401)
        srv.headers = {}
        srv.login("xem", PASSWORD)
        # 403: the same refusal the CLI gives the same account.
        r = srv.request("POST", "/api/v1/org/add",
                        {"code": "LS-X", "name": "X", "level": "district", "parent": "LS"})
        cli = self.cli_error("org", "add", "LS-X", "X", "--level", "district", "--parent", "LS",
                             account="xem")
        self.assert_problem(r, 403, cli)
        srv.headers = token_of(self, "vp")
        self.assert_problem(srv.get("/api/v1/status/NOPE"), 404, self.cli_error("status", "NOPE"))
        r = srv.request("POST", "/api/v1/org/add",
                        {"code": "LS-A", "name": "dup", "level": "district", "parent": "LS"})
        self.assert_problem(r, 409, self.cli_error("org", "add", "LS-A", "dup", "--level",
                                                   "district", "--parent", "LS"))
        r = srv.request("POST", "/api/v1/org/add",
                        {"code": "LS-Y", "name": "Y", "level": "nope", "parent": "LS"})
        self.assert_problem(r, 422, self.cli_error("org", "add", "LS-Y", "Y", "--level", "nope",
                                                   "--parent", "LS"))
        self.assert_problem(srv.request("POST", "/api/v1/org/add", "{not json",
                                        {"Content-Type": "application/json"}), 400)
        self.assert_problem(srv.request("POST", "/api/v1/org/add", "code=1",
                                        {"Content-Type": "application/x-www-form-urlencoded"}),
                            415)
        self.assert_problem(srv.request("POST", "/api/v1/org/add", "x" * 70000,
                                        {"Content-Type": "application/json"}), 413)
        self.assert_problem(srv.get("/api/v1/org/tree/LS?per_page=0"), 422)

    def test_a_retried_change_with_one_idempotency_key_is_made_once(self):
        srv = self.server()
        srv.headers = token_of(self, "vp")
        body = {"code": "LS-C", "name": "Huyện C", "level": "district", "parent": "LS"}
        key = {"Idempotency-Key": "a1b2c3"}
        first = srv.request("POST", "/api/v1/org/add", body, key)
        self.assertEqual(first.status, 200, first.body)
        again = srv.request("POST", "/api/v1/org/add", body, key)
        self.assertEqual((again.status, again.body), (200, first.body))
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        added = [e for e in self.js("journal", "--type", "org.added")
                 if e["data"].get("code") == "LS-C"]
        self.assertEqual(len(added), 1)
        other = srv.request("POST", "/api/v1/org/add", {**body, "code": "LS-E"}, key)
        self.assert_problem(other, 422, "this Idempotency-Key was used for a different request")
        # Without a key, a retry is a second request (here: refused as a duplicate).
        self.assertEqual(srv.request("POST", "/api/v1/org/add", body).status, 409)

    def test_lists_come_in_pages(self):
        srv = self.server()
        srv.headers = token_of(self, "vp")
        whole = self.js("org", "tree", "LS")
        page = srv.get("/api/v1/org/tree/LS?per_page=2&page=2").json()
        self.assertEqual(page["total"], len(whole))
        self.assertEqual((page["page"], page["per_page"]), (2, 2))
        self.assertEqual(page["items"], whole[2:4])
        self.assertEqual(srv.get("/api/v1/org/tree?root=LS").json()["items"], whole)

    def test_a_revoked_token_ends_its_event_stream(self):
        srv = self.server()
        srv.headers = token_of(self, "xem", "stream")
        ev = EventStream(srv)
        self.addCleanup(ev.close)
        self.assertEqual(ev.status, 200)
        self.ok("account", "token", "revoke", "xem", "stream")
        with self.assertRaises(EOFError):
            ev.next_event(timeout=5)
        self.assertEqual(EventStream(srv).status, 401)

    def test_event_streams_show_each_caller_only_its_grants(self):
        add_account(self, "thu", "secretary", "LS-A")
        add_account(self, "b", "viewer", "LS-B")
        srv = self.server()
        streams = {}
        for login in ("vp", "thu", "b", "xem"):
            headers = token_of(self, login)
            streams[login] = EventStream(srv, headers)
            self.addCleanup(streams[login].close)
        self.ok("org", "set", "LS-B", "--members", "12")
        self.ok("org", "set", "LS-A", "--members", "7")
        self.ok("org", "set", "LS", "--members", "99")
        seen = {login: [] for login in streams}
        expect = {"vp": ["LS-B", "LS-A", "LS"], "thu": ["LS-A"], "b": ["LS-B"],
                  "xem": ["LS-A"]}
        for login, codes in expect.items():
            for _ in codes:
                seen[login].append(streams[login].next_event()["data"]["data"]["code"])
        self.assertEqual(seen, expect)
        # Nothing more reaches the narrow streams: the next event each sees is a later one.
        self.ok("org", "set", "LS-A", "--members", "8")
        for login in ("thu", "xem"):
            self.assertEqual(streams[login].next_event()["data"]["data"]["members"], 8)


if __name__ == "__main__":
    main()
