#!/usr/bin/env python3
"""Drives `lexel serve` on loopback for a bounded time (issue #13's server acceptance) and reports throughput, p50/p99
latency, errors and the server's RSS over time, beside the in-process embedding rate of the same texts.

Modes:
  load      --clients connections (default 32) send --texts-per-request texts (16) to --route for --duration seconds
            with wrk (Debian's wrk; a Python client when it is missing); RSS sampled every second.
  overload  the same with --max-concurrent below the number of clients: the excess must get 429, nothing else,
            and the server must stay up with bounded memory.
  sigterm   Python clients on fresh connections; SIGTERM halfway: every request the server accepted (logged) must
            have been answered (counted by the clients), and the server must exit 0.
The in-process rate: `lexel embed` on the same texts (the ones the requests carry) with the same --threads, measured
before and after the load; the ratio divides by the faster of the two.

Run (release build first: make release):
  python3 tools/load_test.py --mode load --duration 60 --clients 32
  python3 tools/load_test.py --mode overload --clients 64 --max-concurrent 8 --duration 20
  python3 tools/load_test.py --mode sigterm --duration 10
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data", "corpus", "paragraphs-en.jsonl.zst")
DEMO = os.path.join(ROOT, "vocab", "demo-paragraphs.jsonl.zst")


def paragraphs(path, limit):
    """Texts of a .jsonl(.zst) file (zstd through the zstd command)."""
    if path.endswith(".zst"):
        data = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout.decode()
    else:
        data = open(path, encoding="utf-8").read()
    texts = []
    for line in data.splitlines():
        if line.strip():
            texts.append(json.loads(line)["text"].replace("\n", " "))
            if len(texts) >= limit:
                break
    return texts


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class RSSSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stopped = pid, [], threading.Event()
        self.start_time = time.time()

    def run(self):
        while not self.stopped.wait(1.0):
            r = rss_mb(self.pid)
            if r is not None:
                self.samples.append((round(time.time() - self.start_time, 1), round(r, 1)))


def in_process_rate(lexel, texts, threads, workdir):
    """Documents per second of `lexel embed` on `texts` (the model's load time excluded: two sizes, the difference)."""
    def timed(n):
        path = os.path.join(workdir, f"texts-{n}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(texts[i % len(texts)] + "\n" for i in range(n)))
        t = time.perf_counter()
        subprocess.run([lexel, "embed", path, "--output", os.path.join(workdir, "out.npy"), "--threads", str(threads),
                        "--quiet"], check=True)
        return time.perf_counter() - t
    small, large = 2000, 42000
    best = min((timed(large) - timed(small) for _ in range(2)))
    return (large - small) / best


def start_server(args, port, extra=()):
    log = open(os.path.join(args.workdir, "server.log"), "w")
    cmd = [args.lexel, "serve", "--port", str(port), "--threads", str(args.threads),
           "--max-concurrent", str(args.max_concurrent)] + list(extra)
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start: " + open(log.name).read()[-2000:])


def bodies(args, texts):
    """Request bodies of --texts-per-request consecutive texts each, in the route's shape."""
    key = "input" if args.route.startswith("/v1/") else "inputs"
    n = args.texts_per_request
    return [json.dumps({key: texts[i:i + n]}) for i in range(0, len(texts) - n + 1, n)]


def run_wrk(args, port, body_file, duration, clients):
    script = os.path.join(args.workdir, "post.lua")
    with open(script, "w") as f:
        f.write(f"""
local bodies = {{}}
for line in io.lines("{body_file}") do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "{args.route}", nil, bodies[i])
end
""")
    threads = max(1, min(2, clients))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{int(duration)}s", "--latency",
                          "--timeout", "30s", "-s", script, f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, check=True).stdout

    def grab(pattern, conv=float, default=None):
        m = re.search(pattern, out)
        return conv(m.group(1)) if m else default

    if grab(r"(?m)^\s+99%\s+(\S+)", str) is None:
        raise SystemExit("wrk printed no latency distribution:\n" + out)

    def ms(text):
        value, unit = float(re.match(r"[\d.]+", text).group()), re.search(r"[a-z]+$", text).group()
        return value * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[unit]
    return {
        "requests_per_s": grab(r"Requests/sec:\s+([\d.]+)"),
        "requests": grab(r"(\d+) requests in", int),
        "p50_ms": ms(grab(r"(?m)^\s+50%\s+(\S+)", str)),
        "p99_ms": ms(grab(r"(?m)^\s+99%\s+(\S+)", str)),
        "non_2xx": grab(r"Non-2xx or 3xx responses: (\d+)", int, 0),
        "socket_errors": grab(r"Socket errors: (.*)", str, "none"),
        "wrk": out,
    }


def python_clients(args, port, payloads, duration, clients, fresh_connections, on_half=None):
    """Clients in threads; counts statuses, latencies and connection errors."""
    lock = threading.Lock()
    stats = {"statuses": {}, "latencies": [], "refused": 0, "broken": 0}
    stop_at = time.time() + duration

    def client(seed):
        rng = random.Random(seed)
        conn = None
        while time.time() < stop_at:
            body = payloads[rng.randrange(len(payloads))]
            t = time.perf_counter()
            try:
                if conn is None or fresh_connections:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("POST", args.route, body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                with lock:
                    stats["statuses"][response.status] = stats["statuses"].get(response.status, 0) + 1
                    stats["latencies"].append(time.perf_counter() - t)
                if fresh_connections:
                    conn.close()
            except ConnectionRefusedError:
                with lock:
                    stats["refused"] += 1
                conn = None
                time.sleep(0.01)
            except (ConnectionError, http.client.HTTPException, OSError):
                with lock:
                    stats["broken"] += 1
                conn = None
                time.sleep(0.01)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    if on_half:
        time.sleep(duration / 2)
        on_half()
    for th in threads:
        th.join()
    lat = sorted(stats["latencies"])
    stats["p50_ms"] = 1e3 * lat[len(lat) // 2] if lat else None
    stats["p99_ms"] = 1e3 * lat[int(len(lat) * 0.99)] if lat else None
    del stats["latencies"]
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["load", "overload", "sigterm"], default="load")
    ap.add_argument("--lexel", default=os.path.join(ROOT, ".build", "release", "lexel"))
    ap.add_argument("--corpus", default=SHARED if os.path.exists(SHARED) else DEMO)
    ap.add_argument("--route", default="/embed", choices=["/embed", "/v1/embeddings"])
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--texts-per-request", type=int, default=16)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--max-concurrent", type=int, default=512)
    ap.add_argument("--documents", type=int, default=16000, help="distinct texts the requests cycle through")
    ap.add_argument("--json", help="write the results here too")
    args = ap.parse_args()
    args.workdir = tempfile.mkdtemp(prefix="lexel-load-")
    texts = paragraphs(args.corpus, args.documents)
    payloads = bodies(args, texts)
    results = {"mode": args.mode, "route": args.route, "clients": args.clients, "texts_per_request": args.texts_per_request,
               "threads": args.threads, "cpu": cpu_name()}
    if args.mode == "load":
        results["in_process_docs_per_s"] = round(in_process_rate(args.lexel, texts, args.threads, args.workdir))
    port = free_port()
    server = start_server(args, port)
    sampler = RSSSampler(server.pid)
    sampler.start()
    try:
        if args.mode in ("load", "overload") and shutil.which("wrk"):
            body_file = os.path.join(args.workdir, "bodies.txt")
            with open(body_file, "w") as f:
                f.write("\n".join(payloads) + "\n")
            run_wrk(args, port, body_file, 5, args.clients)  # warm-up
            r = run_wrk(args, port, body_file, args.duration, args.clients)
            results["client"] = "wrk"
            results.update({k: v for k, v in r.items() if k != "wrk"})
            answered = r["requests"] - r["non_2xx"]  # texts embedded: the 2xx answers only (overload gets 429s)
            results["texts_per_s"] = round(answered / r["requests"] * r["requests_per_s"] * args.texts_per_request)
        elif args.mode in ("load", "overload"):
            python_clients(args, port, payloads, 5, args.clients, False)
            r = python_clients(args, port, payloads, args.duration, args.clients, False)
            results["client"] = "python"
            results.update(r)
            results["texts_per_s"] = round(r["statuses"].get(200, 0) * args.texts_per_request / args.duration)
        else:
            r = python_clients(args, port, payloads, args.duration, args.clients, True,
                               on_half=lambda: server.send_signal(signal.SIGTERM))
            results["client"] = "python, a connection per request"
            results.update(r)
        if args.mode == "load":
            # measured again after the load (the machine is shared and noisy): the ratio uses the faster of the two
            after = round(in_process_rate(args.lexel, texts, args.threads, args.workdir))
            results["in_process_docs_per_s_after"] = after
            best = max(after, results["in_process_docs_per_s"])
            results["server_vs_in_process"] = round(results["texts_per_s"] / best, 3)
    finally:
        if args.mode != "sigterm":
            server.send_signal(signal.SIGTERM)
        try:
            results["server_exit"] = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            results["server_exit"] = "killed after 60 s"
        sampler.stopped.set()
    log = open(os.path.join(args.workdir, "server.log")).read()
    handled = len(re.findall(r"POST \S+ 200 ", log))
    results["server_logged_200"] = handled
    if args.mode == "sigterm":
        results["answered_200"] = results["statuses"].get(200, 0)
        results["every_accepted_request_answered"] = handled == results["answered_200"]
    samples = sampler.samples
    results["rss_mb"] = {"after_warmup": next((r for t, r in samples if t >= 10), None),
                         "max": max((r for _, r in samples), default=None),
                         "end": samples[-1][1] if samples else None, "samples": samples[::5]}
    print(json.dumps(results, indent=1))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    shutil.rmtree(args.workdir, ignore_errors=True)


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


if __name__ == "__main__":
    main()
