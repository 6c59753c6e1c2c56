"""notify_peers.py: the real peers the notification tests deliver to, on 127.0.0.1: an SMTP sink
(Debian's python3-aiosmtpd) and an HTTP receiver that checks the webhook signature, plus a
running `convene run` daemon. Waits poll a condition against a deadline; nothing sleeps blindly."""
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import subprocess
import threading
import time

from aiosmtpd.controller import Controller

from harness import BIN


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def idem(key):
    """The idempotency id convene derives from a key: 32 hex digits of SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def wait_until(cond, what, deadline=20.0, step=0.02):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {deadline}s waiting for {what}")


class SmtpSink:
    """Collects every mail it accepts; stop() and start() again keep the same port."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.mails = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.mails.append({"rcpt": list(envelope.rcpt_tos), "from": envelope.mail_from,
                               "message_id": msg["Message-ID"], "subject": str(msg["Subject"]),
                               "body": msg.get_content()})
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def received(self):
        with self.lock:
            return list(self.mails)


class WebhookReceiver:
    """An HTTP receiver that verifies X-Convene-Signature with the shared secret and answers
    with self.status (200 by default)."""

    def __init__(self, secret, status=200, reply=b"ok"):
        self.secret, self.status, self.reply = secret.encode(), status, reply
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                want = "sha256=" + hmac.new(receiver.secret, body, hashlib.sha256).hexdigest()
                sig_ok = hmac.compare_digest(want, self.headers.get("X-Convene-Signature", ""))
                with receiver.lock:
                    receiver.requests.append({"json": json.loads(body), "signature_ok": sig_ok,
                                              "idempotency_key": self.headers["Idempotency-Key"],
                                              "content_type": self.headers["Content-Type"]})
                status = receiver.status if sig_ok else 401
                self.send_response(status)
                self.send_header("Content-Length", str(len(receiver.reply)))
                self.end_headers()
                self.wfile.write(receiver.reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Daemon:
    """`convene run` on a store, on the real clock (backoffs are configured short)."""

    def __init__(self, db, logdir):
        env = dict(os.environ)
        env.pop("CONVENE_NOW", None)
        env["CONVENE_DB"] = db
        self.log_path = os.path.join(logdir, "daemon.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, "run", "--poll-ms", "20"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.log)

    def stop(self):
        """Stops the daemon and returns its exit status (0: every handle closed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=20)
        self.log.close()
        return code

    def lines(self):
        with open(self.log_path) as f:
            return [json.loads(l) for l in f if l.startswith("{")]
