"""daemon-start.py: times `convene run` from launch to a log line, RUNS times, for bench/tree and
bench/sched. Each run starts the daemon with its stderr on a pipe, blocks reading that pipe (no
polling loop competing for the CPU) until a line containing READY, notes the time and the
daemon's resident memory, then stops it with SIGTERM and waits. Prints one line: the median,
min and max start time and the largest resident memory seen at that moment.
Usage: /usr/bin/python3 bench/daemon-start.py RUNS READY convene --db DB run"""
import signal
import statistics
import subprocess
import sys
import time

runs, ready, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
times, rss = [], 0
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in p.stderr:
        if ready in line:
            break
    else:
        sys.exit(f"daemon-start: the daemon ended before '{ready}' (status {p.wait()})")
    times.append((time.perf_counter() - t0) * 1000)
    with open(f"/proc/{p.pid}/status") as f:
        rss = max([rss] + [int(l.split()[1]) for l in f if l.startswith("VmRSS")])
    p.send_signal(signal.SIGTERM)
    p.stderr.read()  # drained to the end: the daemon never writes to a closed pipe
    if p.wait(timeout=30) != 0:
        sys.exit("daemon-start: the daemon did not stop cleanly")
print(f"   ready in {statistics.median(times):.1f} ms (median of {runs} runs; min {min(times):.1f}, "
      f"max {max(times):.1f}), RSS {rss / 1024:.0f} MB")
