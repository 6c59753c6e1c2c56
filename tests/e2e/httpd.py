"""httpd.py: a real `convene run --listen` for the HTTP tests, and small clients over real
sockets (TCP or unix). Standard library only, under /usr/bin/python3."""
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time

from harness import BIN


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


class Server:
    """A `convene run --listen ADDR ...` whose JSON log lines arrive in a queue."""

    def __init__(self, test, *args, listen=None, env=None):
        self.port = None
        if listen is None:
            self.port = free_port()
            listen = f"127.0.0.1:{self.port}"
        self.listen = listen
        cmd = [BIN, "run", "--poll-ms", "50", *(["--listen", listen] if listen else []), *args]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True,
                                     env=env or test.env())
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        test.addCleanup(self.kill)

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for(self, predicate, deadline=10.0):
        end = time.monotonic() + deadline
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("the daemon did not log the expected line in time")
            try:
                entry = json.loads(self.lines.get(timeout=left))
            except queue.Empty:
                continue
            if predicate(entry):
                return entry

    def serving(self):
        self.wait_for(lambda e: e["msg"].startswith("serving HTTP"))
        return self

    def conn(self, timeout=10):
        if self.listen.startswith("unix:"):
            return UnixConnection(self.listen[5:], timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = {"Content-Type": "application/json", **(headers or {})}
            c.request(method, path, body=body, headers=headers or {})
            return Response(c.getresponse())
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def raw_socket(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return s

    def stop(self, signum=signal.SIGTERM, deadline=10):
        self.proc.send_signal(signum)
        return self.proc.wait(timeout=deadline)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


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
        self.conn.request("GET", path, headers=headers or {})
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers

    def next_event(self, timeout=10):
        self.conn.sock.settimeout(timeout)
        msg = {}
        while True:
            line = self.resp.fp.readline()
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
