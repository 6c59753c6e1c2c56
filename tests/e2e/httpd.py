"""httpd.py: a real `convene run --listen` for the HTTP tests, and small clients over real
sockets (TCP or unix). Standard library only, under /usr/bin/python3."""
import http.client
import json
import os
import socket

from harness import Daemon

PASSWORD = "mật khẩu đủ dài"


def add_account(test, login, role=None, org=None, password=PASSWORD):
    """An account with a password and (when role is given) one grant, made with the CLI."""
    path = os.path.join(test.dir, "password")
    with open(path, "w") as f:
        f.write(password)
    test.ok("account", "add", login, login.capitalize(), "--password-file", path)
    if role:
        test.ok("grant", "add", login, role, *(["--org", org] if org else []))


def token_of(test, login, label="http"):
    """A new API token of login, as the Authorization header that carries it."""
    return {"Authorization": "Bearer " + test.js("account", "token", "add", login, label)["token"]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class Response:
    def __init__(self, r):
        self.status = r.status
        self.headers = r.headers
        self.body = r.read()

    def json(self):
        return json.loads(self.body)


class Server(Daemon):
    """A `convene run --listen ADDR ...` (harness.Daemon) and requests to it."""

    def __init__(self, test, *args, listen=None, env=None):
        self.port = None
        if listen is None:
            self.port = free_port()
            listen = f"127.0.0.1:{self.port}"
        self.listen = listen
        self.headers = {}  # sent with every request (credentials)
        super().__init__(test, "--poll-ms", "50", *(["--listen", listen] if listen else []),
                         *args, env=env)

    def serving(self):
        """Waits until it serves HTTP and, its store's check at start passed, takes changes."""
        self.wait_for(lambda e: e["msg"].startswith("serving HTTP"))
        self.wait_for(lambda e: e["msg"].startswith("taking changes"))
        return self

    def conn(self, timeout=10):
        if self.listen.startswith("unix:"):
            return UnixConnection(self.listen[5:], timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        headers = {**self.headers, **(headers or {})}
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = {"Content-Type": "application/json", **headers}
            c.request(method, path, body=body, headers=headers)
            return Response(c.getresponse())
        finally:
            c.close()

    def login(self, login, password, headers=None):
        """Logs in; later requests carry the cookie and the CSRF token. Returns the response."""
        r = self.request("POST", "/api/v1/session", {"login": login, "password": password},
                         headers)
        if r.status == 200:
            cookie = r.headers["Set-Cookie"].split(";")[0]
            self.headers = {"Cookie": cookie, "X-CSRF-Token": r.json()["csrf_token"]}
        return r

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def raw_socket(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return s


def closed_by_peer(sock, deadline=10.0):
    """Reads until the server closes sock; returns what it sent, or raises after deadline."""
    sock.settimeout(deadline)
    got = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return got
            got += chunk
    except ConnectionResetError:
        return got


class EventStream:
    """A GET /api/v1/events read line by line: next_event() gives {"id", "event", "data"} of the
    next message, skipping heartbeats."""

    def __init__(self, server, headers=None, path="/api/v1/events"):
        self.conn = server.conn(timeout=10)
        self.conn.request("GET", path, headers={**server.headers, **(headers or {})})
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers

    def next_event(self, timeout=10):
        self.conn.sock.settimeout(timeout)
        msg = {}
        while True:
            line = self.resp.readline()  # chunked transfer decoded
            if not line:
                raise EOFError("the stream ended")
            line = line.decode().rstrip("\n")
            if line == "":
                if msg:
                    msg["data"] = json.loads(msg["data"])
                    return msg
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(": ")
            msg[field] = value

    def close(self):
        self.conn.close()
