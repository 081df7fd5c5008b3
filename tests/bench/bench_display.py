#!/usr/bin/python3
"""make bench, displays: call-next → the first byte of window 1's strip frame
read on the far side of a socat pty pair, p50/p99.  The clock starts just
before the REST request is written and stops when the first byte of the new
bx frame arrives at the pty's other end, so it holds the HTTP hop, the core's
commit, the device manager and the tty write.  A figure, not an assertion."""
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALLS = int(os.environ.get("BENCH_DISPLAY_CALLS", "400"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def req(port, method, path, body, token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": "Bearer " + token}
    if data is not None:
        headers["Content-Type"] = "application/json"
    c.request(method, path, data, headers)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def drain(fd, quiet_s):
    """Read until the line has been quiet for quiet_s (bounded: 2 s)."""
    end = time.monotonic() + 2
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], quiet_s)
        if not r:
            return
        os.read(fd, 65536)


def main():
    hallqd = os.path.abspath(os.environ.get("HALLQD", os.path.join(ROOT, "build", "hallqd")))
    tmp = tempfile.mkdtemp(prefix="hallq-bench-display-")
    socat = daemon = None
    try:
        strip, peer = os.path.join(tmp, "strip"), os.path.join(tmp, "peer")
        socat = subprocess.Popen(["socat", "PTY,raw,echo=0,link=" + strip,
                                  "PTY,raw,echo=0,link=" + peer],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(strip) and os.path.exists(peer):
                break
            time.sleep(0.05)
        fd = os.open(peer, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        port = free_port()
        conf = {
            "hall": {"name": "bench", "timezone": "Asia/Shanghai"},
            "listen": "127.0.0.1:%d" % port,
            "database": os.path.join(tmp, "hallq.db"),
            "web": {"root": os.path.join(ROOT, "web")},
            "tokens": {"kiosk": ["k1"], "clerk": {"c1": [1]}},
            "classes": {"normal": {"head_start_s": 0}},
            "domains": {"SB": "社会保险"},
            "matters": [{"code": "SB01", "name": "社保参保登记", "domain": "SB", "prefix": "A"}],
            "windows": [{"number": 1, "state": "open", "tiers": [["SB01"]]}],
            "devices": [{"name": "w1-strip", "role": "window_display", "window": 1,
                         "protocol": "bx", "address": 1, "reply_ms": 0,
                         "transport": "tty:" + strip}],
        }
        cpath = os.path.join(tmp, "hallq.json")
        with open(cpath, "w", encoding="utf-8") as f:
            json.dump(conf, f, ensure_ascii=False)
        log = open(os.path.join(tmp, "hallqd.log"), "wb")
        daemon = subprocess.Popen([hallqd, "-d", "-f", cpath], stdout=log, stderr=log)
        for _ in range(200):
            try:
                if req(port, "GET", "/api/status", None, "k1") == 200:
                    break
            except OSError:
                time.sleep(0.05)
        for _ in range(CALLS):
            req(port, "POST", "/api/tickets", {"matter": "SB01"}, "k1")
        drain(fd, 0.2)
        lat = []
        for _ in range(CALLS):
            t0 = time.perf_counter()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("POST", "/api/windows/1/call-next", b"{}",
                      {"Authorization": "Bearer c1", "Content-Type": "application/json"})
            r, _, _ = select.select([fd], [], [], 5)
            t1 = time.perf_counter()
            resp = c.getresponse()
            resp.read()
            c.close()
            if not r or resp.status != 200:
                print("bench_display: no frame or status %d" % resp.status, file=sys.stderr)
                return 1
            lat.append(t1 - t0)
            drain(fd, 0.01)
            req(port, "POST", "/api/windows/1/finish", {}, "c1")
            drain(fd, 0.01)
        print("  %-56s p50 %.2f ms   p99 %.2f ms   (n=%d, bx strip on a socat pty)"
              % ("call-next -> first byte of the display frame on the pty",
                 pct(lat, 50) * 1000, pct(lat, 99) * 1000, len(lat)), flush=True)
        return 0
    finally:
        if daemon is not None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(20)
            except subprocess.TimeoutExpired:
                daemon.kill()
        if socat is not None:
            socat.kill()
            socat.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
