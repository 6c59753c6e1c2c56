"""sse_clients.py: opens N Server-Sent Events streams to convene and measures the daemon's
memory: RSS before, with all N open (per client), after 10 s and after DURATION s while the CLI
writes one event a second that every stream receives. Prints one line per figure.
Usage: /usr/bin/python3 sse_clients.py PORT PID N DURATION CONVENE_BIN DB [COOKIE]"""
import selectors
import socket
import subprocess
import sys
import time

port, pid, n, duration = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
binary, db = sys.argv[5], sys.argv[6]
cookie = sys.argv[7] if len(sys.argv) > 7 else ""


def rss_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


sel = selectors.DefaultSelector()
received = {}


def pump(seconds):
    """Reads whatever the streams send for seconds."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.1):
            data = key.fileobj.recv(65536)
            if not data:
                raise SystemExit("a stream was closed by the server")
            received[key.fileobj] = received.get(key.fileobj, 0) + data.count(b"\nevent: ")


before = rss_kb()
request = (b"GET /api/v1/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n" +
           (f"Cookie: {cookie}\r\n".encode() if cookie else b"") + b"\r\n")
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    socks.append(s)
pump(2)
opened = rss_kb()
print(f"sse: {n} streams open: RSS {before} kB before, {opened} kB with them open, "
      f"{(opened - before) * 1024 / n:.0f} bytes per stream")
start = time.monotonic()
rss10 = None
events = 0
while time.monotonic() - start < duration:
    subprocess.run([binary, "--db", db, "org", "set", "LS-TP", "--kind", f"k{events % 2}"],
                   check=True, capture_output=True)
    events += 1
    pump(1)
    if rss10 is None and time.monotonic() - start >= 10:
        rss10 = rss_kb()
rss_end = rss_kb()
rss10 = rss10 or rss_end
got = min(received.get(s, 0) for s in socks)
print(f"sse: {events} events in {duration} s, every stream received at least {got}; "
      f"RSS after 10 s {rss10} kB, after {duration} s {rss_end} kB "
      f"(change {100.0 * (rss_end - rss10) / rss10:+.1f}%, goal within 5%)")
for s in socks:
    s.close()
