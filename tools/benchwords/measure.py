"""Running a child of tools/bench_words.py with its wall clock and peak RSS (GNU time, else polled VmHWM)."""
import os
import re
import shutil
import subprocess
import threading
import time


def find_gnu_time():
    for p in ("/usr/bin/time", shutil.which("time") or ""):
        if p and os.path.exists(p):
            try:
                r = subprocess.run([p, "-f", "%e %M", "true"], capture_output=True, text=True)
                if r.returncode == 0 and re.match(r"^\s*[0-9.]+\s+\d+\s*$", r.stderr.strip().splitlines()[-1]):
                    return p
            except Exception:
                pass
    return None


def run_measured(cmd, log_path, gnu_time=None, timeout=None):
    """Run cmd; return dict(rc, wall, peak_rss_mb, stdout, how). gnu_time: find_gnu_time() (None: poll VmHWM)."""
    t0 = time.perf_counter()
    if gnu_time:
        tf = log_path + ".time"
        full = [gnu_time, "-f", "%e %M", "-o", tf] + cmd
        with open(log_path, "w") as lf:
            try:
                p = subprocess.run(full, stdout=subprocess.PIPE, stderr=lf, text=True, timeout=timeout)
                rc, out = p.returncode, p.stdout
            except subprocess.TimeoutExpired as e:
                rc, out = 124, (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        wall = time.perf_counter() - t0
        rss = None
        try:
            last = [l for l in open(tf).read().splitlines() if l.strip()][-1].split()
            rss = int(last[1]) / 1024.0
        except Exception:
            pass
        return dict(rc=rc, wall=wall, peak_rss_mb=rss, stdout=out, how="GNU time %M")
    # Fallback: poll VmHWM of the child in a thread.
    peak = [0]
    with open(log_path, "w") as lf:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=lf, text=True)
        stop = threading.Event()

        def poll():
            path = f"/proc/{p.pid}/status"
            while not stop.is_set():
                try:
                    for line in open(path):
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
                except Exception:
                    pass
                stop.wait(0.05)

        th = threading.Thread(target=poll, daemon=True)
        th.start()
        try:
            out, _ = p.communicate(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            rc = 124
        stop.set()
        th.join()
    wall = time.perf_counter() - t0
    return dict(rc=rc, wall=wall, peak_rss_mb=peak[0] / 1024.0 if peak[0] else None, stdout=out,
                how="polled VmHWM")

