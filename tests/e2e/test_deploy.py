"""test_deploy.py: the deployment as shipped. `cmake --install` lays out the binary, plugins,
scripts, web and deploy files; the systemd unit passes `systemd-analyze verify`; and a real
Debian nginx, configured from deploy/nginx/convene.conf.in with a self-signed certificate, serves
static files and proxies to a real `convene run` on a unix socket over HTTPS and HTTP/2, event
stream included."""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import time

from harness import BIN, SOURCE, StoreTest, main
from httpd import PASSWORD, Server, add_account, free_port

BUILD = os.path.dirname(os.path.dirname(os.path.abspath(BIN)))


def wait_port(port, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


class Nginx:
    """nginx from Debian with the shipped site, on loopback ports, in a temporary prefix."""

    def __init__(self, test, sock):
        d = os.path.join(test.dir, "nginx")
        os.makedirs(os.path.join(d, "web"))
        with open(os.path.join(d, "web", "index.html"), "w") as f:
            f.write("<!doctype html><title>convene</title>\n")
        self.cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out",
                        self.cert], check=True, capture_output=True, timeout=60)
        self.https, self.http = free_port(), free_port()
        with open(os.path.join(SOURCE, "deploy", "nginx", "convene.conf.in")) as f:
            site = f.read()
        for old, new in (("@CONVENE_WEB_DIR@", os.path.join(d, "web")),
                         ("unix:/run/convene/http.sock", "unix:" + sock),
                         ("listen 80;", f"listen 127.0.0.1:{self.http};"),
                         ("listen [::]:80;", ""),
                         ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https} ssl http2;"),
                         ("listen [::]:443 ssl http2;", ""),
                         ("/etc/ssl/certs/convene.pem", self.cert),
                         ("/etc/ssl/private/convene.key", key)):
            test.assertIn(old, site)
            site = site.replace(old, new)
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process on; worker_processes 1; user root;
pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types; access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
{site}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-p", d, "-c", conf], stderr=subprocess.PIPE)
        test.addCleanup(self.stop)
        wait_port(self.https)
        self.ctx = ssl.create_default_context(cafile=self.cert)

    def conn(self, timeout=10):
        return http.client.HTTPSConnection("localhost", self.https, context=self.ctx,
                                           timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.headers, r.read()
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class DeployTest(StoreTest):
    def test_install_lays_out_every_part_and_the_unit_verifies(self):
        prefix = os.path.join(self.dir, "prefix")
        subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], check=True,
                       capture_output=True, timeout=120)
        for part in ("bin/convene", "lib/convene/plugins/report-xlsx.so",
                     "lib/convene/plugins/notify-smtp.so",
                     "share/convene/scripts/procedures",
                     "share/convene/deploy/nginx/convene.conf",
                     "share/convene/deploy/systemd/convene.service",
                     "share/convene/deploy/systemd/convene.sysusers",
                     "share/doc/convene/README.md"):
            self.assertTrue(os.path.exists(os.path.join(prefix, part)), part)
        with open(os.path.join(prefix, "share/convene/deploy/systemd/convene.service")) as f:
            unit = f.read()
        for line in ("NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ReadWritePaths=/var/lib/convene", "PrivateTmp=yes", "User=convene"):
            self.assertIn(line, unit)
        with open(os.path.join(prefix, "share/convene/deploy/nginx/convene.conf")) as f:
            self.assertNotIn("@", f.read(), "a placeholder was left unfilled")
        # The unit as installed, pointed at the installed binary, verifies cleanly.
        exec_start = [ln for ln in unit.splitlines() if ln.startswith("ExecStart=")][0]
        unit_file = os.path.join(self.dir, "convene.service")
        with open(unit_file, "w") as f:
            f.write(unit.replace(exec_start.split()[0],
                                 "ExecStart=" + os.path.join(prefix, "bin/convene")))
        r = subprocess.run(["systemd-analyze", "verify", unit_file], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_nginx_in_front_over_https_and_http2(self):
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        add_account(self, "vp", "office", "LS")
        sock = os.path.join(self.dir, "http.sock")
        Server(self, listen="unix:" + sock).serving()
        ng = Nginx(self, sock)
        status, _, body = ng.get("/")
        self.assertEqual((status, body), (200, b"<!doctype html><title>convene</title>\n"))
        # Login over HTTPS: the cookie is __Host- prefixed, Secure, HttpOnly, SameSite=Lax.
        origin = f"https://localhost:{ng.https}"
        status, headers, body = ng.request(
            "POST", "/api/v1/session", json.dumps({"login": "vp", "password": PASSWORD}),
            {"Content-Type": "application/json", "Origin": origin})
        self.assertEqual(status, 200, body)
        cookie = headers["Set-Cookie"]
        self.assertRegex(cookie, r"^__Host-convene=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; "
                                 r"SameSite=Lax; Secure$")
        auth = {"Cookie": cookie.split(";")[0], "X-CSRF-Token": json.loads(body)["csrf_token"]}
        status, headers, body = ng.get("/api/v1/status/LS", auth)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), self.js("status", "LS"))
        self.assertIn("max-age", headers["Strict-Transport-Security"])
        # A change, from our own origin with the CSRF token.
        status, _, body = ng.request(
            "POST", "/api/v1/org/add",
            json.dumps({"code": "LS-A", "name": "Huyện A", "level": "district", "parent": "LS"}),
            {**auth, "Content-Type": "application/json", "Origin": origin})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.js("org", "show", "LS-A")["name"], "Huyện A")
        # HTTP/2 is negotiated by nginx (convene itself speaks HTTP/1.1 on the socket).
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_version}", "--http2",
                            "--cacert", ng.cert, "-H", "Cookie: " + auth["Cookie"],
                            f"https://localhost:{ng.https}/api/v1/status/LS"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout, "2")
        # Plain HTTP is sent to HTTPS.
        c = http.client.HTTPConnection("127.0.0.1", ng.http, timeout=10)
        c.request("GET", "/api/v1/status/LS")
        self.assertEqual(c.getresponse().status, 301)
        c.close()
        # The event stream passes through unbuffered: an event arrives while the stream is open.
        c = ng.conn()
        c.request("GET", "/api/v1/events", headers=auth)
        resp = c.getresponse()
        self.assertEqual(resp.headers["Content-Type"], "text/event-stream")
        self.ok("org", "add", "LS-TP", "Thành phố Lạng Sơn", "--level", "district",
                "--parent", "LS")
        c.sock.settimeout(10)
        lines = []
        while not any(ln.startswith("data: ") for ln in lines):
            lines.append(resp.readline().decode())
        self.assertIn("event: org.added\n", lines)
        c.close()
        # nginx limits logins per address before they reach convene (10 a minute, burst 5; the
        # names differ, so convene's own limits have nothing to count yet). A few logins in a
        # row overrun the burst unless each takes seconds to answer (a loaded sanitizer build):
        # logins go on until nginx refuses one, at most 40.
        statuses = []
        while len(statuses) < 40 and (429, "text/html") not in statuses:
            status, headers, _ = ng.request(
                "POST", "/api/v1/session",
                json.dumps({"login": f"u{len(statuses)}", "password": "x" * 8}),
                {"Content-Type": "application/json", "Origin": origin})
            statuses.append((status, headers["Content-Type"].split(";")[0]))
        self.assertEqual(statuses[0], (401, "application/problem+json"))
        self.assertIn((429, "text/html"), statuses)


if __name__ == "__main__":
    main()
