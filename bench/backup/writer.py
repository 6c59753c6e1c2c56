"""writer.py: a concurrent writer for bench/backup: appends one journal event per transaction
(BEGIN IMMEDIATE, INSERT, COMMIT) as fast as it can until it gets SIGTERM, then prints the
number of commits and the longest and 99th-percentile time one commit took, as JSON."""
import json
import signal
import sqlite3
import sys
import time

stop = False


def on_term(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
con = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=NORMAL")
waits = []
print("ready", flush=True)
while not stop:
    t0 = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO events(at, type, data) VALUES (?, 'bench.write', '{}')",
                (int(time.time() * 1000),))
    con.execute("COMMIT")
    waits.append(time.perf_counter() - t0)
    time.sleep(0.002)
con.close()
waits.sort()
print(json.dumps({"commits": len(waits), "max_ms": round(waits[-1] * 1000, 2) if waits else 0,
                  "p99_ms": round(waits[int(len(waits) * 0.99)] * 1000, 2) if waits else 0}))
