#!/usr/bin/python3
"""hallq benchmarks: prints figures, asserts nothing about speed.

    HALLQD=build/hallqd BENCH_STORE=build/bench_store /usr/bin/python3 tests/bench/bench.py

1. raw SQLite single-row commits/s (WAL, synchronous=FULL) in the directory
   that holds the daemon's database: the ceiling for durable issues;
2. durable ticket issues/s through POST /api/tickets (one client, then
   several at once; a connection is kept while the daemon keeps it, which
   today it does not: it closes after every answer), and the ratio to 1;
3. call-next (and finish) round-trip latency with 10,000 tickets waiting;
4. call-next -> ticket.called received by 200 WebSocket clients;
5. peak RSS of the daemon (VmHWM).

Everything runs on 127.0.0.1 with a port picked here, in a temp directory
(BENCH_DIR, else TMPDIR), with bounded loops; the whole run takes well under
three minutes.  Uses Debian's python3-websockets (10.4, asyncio API).
"""

import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

ISSUE_SECONDS_ONE = 1.5      # one client issuing, this long
ISSUE_SECONDS = 5.0          # throughput phase: at most this long, or until
                             # WAITING_TARGET tickets wait
ISSUE_CLIENTS = 16
WAITING_TARGET = 10000       # tickets waiting for the call-next phase
CALL_ROUNDS = 1000           # call-next + finish pairs timed
WS_CLIENTS = 200
WS_ROUNDS = 200              # call-next events timed at every WS client
PHASE_TIMEOUT = 60.0         # no phase waits longer than this

TOKENS = {"kiosk": "bench-kiosk", "clerk": "bench-clerk", "manager": "bench-manager",
          "display": "bench-display"}
MATTERS = [("SB01", "SB", "A"), ("SB02", "SB", "B"), ("YB01", "YB", "C"),
           ("YB02", "YB", "D"), ("BDC01", "BDC", "E")]
NWINDOWS = 8


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_config(tmp, port):
    sb = ["SB01", "SB02"]
    yb = ["YB01", "YB02"]
    every = [m[0] for m in MATTERS]
    windows = []
    for n in range(1, NWINDOWS + 1):
        if n <= 4:          # 无差别综合窗口
            tiers, overflow = [every], [0]
        elif n <= 6:        # 分领域: 社保, lends a hand to 医保
            tiers, overflow = [sb, yb], [0, 1200]
        else:               # 分领域: 医保, then 不动产
            tiers, overflow = [yb, ["BDC01"]], [0, 1200]
        windows.append({"number": n, "name": "窗口%d" % n, "state": "open",
                        "tiers": tiers, "overflow_s": overflow})
    conf = {
        "hall": {"name": "hallq bench", "timezone": "Asia/Shanghai", "number_width": 4},
        "listen": "127.0.0.1:%d" % port,
        "database": os.path.join(tmp, "hallq.db"),
        "web": {"root": os.path.join(ROOT, "web")},
        "tokens": {"kiosk": [TOKENS["kiosk"]], "clerk": {TOKENS["clerk"]: "*"},
                   "manager": [TOKENS["manager"]], "display": [TOKENS["display"]]},
        "classes": {"green": {"head_start_s": 900}, "appointment": {"head_start_s": 600},
                    "normal": {"head_start_s": 0}},
        "domains": {"SB": "社会保险", "YB": "医疗保障", "BDC": "不动产登记"},
        "matters": [{"code": c, "name": c, "domain": d, "prefix": p, "service_s": 300}
                    for c, d, p in MATTERS],
        "windows": windows,
    }
    path = os.path.join(tmp, "hallq.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(conf, f, ensure_ascii=False, indent=1)
    return path


def pct(values, p):
    """Nearest-rank percentile of a list of numbers."""
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def row(label, value):
    print("  %-56s %s" % (label, value), flush=True)


class Http:
    """A minimal HTTP/1.1 client on asyncio streams, cheap enough that the
    client is not what is measured.  It keeps the connection unless the
    server says "Connection: close", then opens a new one for the next."""

    def __init__(self, port, token):
        self.port = port
        self.token = token
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        head = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (method, path, self.port, self.token, len(data))).encode()
        try:
            if self.writer is None:
                await self.open()
            self.writer.write(head + data)
            raw = await self.reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            if "content-length" in headers:
                payload = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                payload = b""
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    chunk = await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
                    payload += chunk[:-2]
            elif status in (204, 304):
                payload = b""
            else:                   # no length: the body runs to the close
                payload = await self.reader.read()
                self.close()
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, payload
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self.close()
            return 0, b""


class Daemon:
    def __init__(self, binary, conf, tmp):
        self.log_path = os.path.join(tmp, "hallqd.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "-d", "-f", conf], stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=ROOT)

    def alive(self):
        return self.proc.poll() is None

    def status_value(self, key):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])       # kB
        except OSError:
            pass
        return None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()
        return self.proc.returncode

    def tail(self, n=20):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""


async def wait_ready(port, daemon):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not daemon.alive():
            return False
        c = Http(port, "")
        status, _ = await c.request("GET", "/api/status")
        c.close()
        if status == 200:
            return True
        await asyncio.sleep(0.1)
    return False


def issue_body(rng):
    code = rng.choice(MATTERS)[0]
    cls = "green" if rng.random() < 0.05 else "normal"
    return {"matter": code, "class": cls, "channel": "kiosk"}


async def phase_issue(port, nclients, seconds, cap):
    """Durable issues/s: nclients clients POST /api/tickets one after another for
    `seconds` or until `cap` tickets are issued."""
    stats = {"ok": 0, "other": {}}
    deadline = time.monotonic() + seconds
    rng = random.Random(1)

    async def client():
        c = Http(port, TOKENS["kiosk"])
        while time.monotonic() < deadline and stats["ok"] < cap:
            status, _ = await c.request("POST", "/api/tickets", issue_body(rng))
            if status == 201:
                stats["ok"] += 1
            else:
                stats["other"][status] = stats["other"].get(status, 0) + 1
                if status == 0:
                    await asyncio.sleep(0.01)
        c.close()

    t0 = time.monotonic()
    await asyncio.gather(*(client() for _ in range(nclients)))
    return stats["ok"], time.monotonic() - t0, stats["other"]


async def waiting_total(port):
    c = Http(port, TOKENS["manager"])
    status, body = await c.request("GET", "/api/hall")
    c.close()
    if status != 200:
        return None
    return sum(m.get("waiting", 0) for m in json.loads(body)["matters"])


async def top_up(port, need):
    """Issue `need` more tickets (not timed)."""
    rng = random.Random(2)
    left = [need]
    failures = [0]

    async def client():
        c = Http(port, TOKENS["kiosk"])
        while left[0] > 0 and failures[0] < 100:
            left[0] -= 1
            status, _ = await c.request("POST", "/api/tickets", issue_body(rng))
            if status != 201:
                failures[0] += 1
                left[0] += 1
        c.close()

    await asyncio.wait_for(asyncio.gather(*(client() for _ in range(8))), PHASE_TIMEOUT)


async def phase_call_next(port):
    """One clerk: call-next then finish, window after window; each timed."""
    c = Http(port, TOKENS["clerk"])
    calls, finishes, odd = [], [], {}
    deadline = time.monotonic() + PHASE_TIMEOUT
    for i in range(CALL_ROUNDS):
        if time.monotonic() > deadline:
            break
        w = i % NWINDOWS + 1
        t0 = time.perf_counter()
        status, _ = await c.request("POST", "/api/windows/%d/call-next" % w)
        t1 = time.perf_counter()
        if status != 200:
            odd["call-next %d" % status] = odd.get("call-next %d" % status, 0) + 1
            continue
        calls.append(t1 - t0)
        t0 = time.perf_counter()
        status, _ = await c.request("POST", "/api/windows/%d/finish" % w)
        t1 = time.perf_counter()
        if status != 200:
            odd["finish %d" % status] = odd.get("finish %d" % status, 0) + 1
            continue
        finishes.append(t1 - t0)
    c.close()
    return calls, finishes, odd


class Fanout:
    """WS_CLIENTS subscribers; each notes when it sees ticket.called/done."""

    def __init__(self, port, n):
        self.uri = "ws://127.0.0.1:%d/ws?token=%s" % (port, TOKENS["display"])
        self.n = n
        self.socks = []
        self.tasks = []
        self.seen = {}          # (type, ticket id) -> [receipt times]
        self.waiters = {}       # (type, ticket id) -> future, set when all n saw it
        self.closed = 0

    async def open_one(self):
        ws = await websockets.connect(self.uri, subprotocols=["hallq.v1"],
                                      compression=None, ping_interval=None,
                                      max_size=2 ** 24, open_timeout=20,
                                      close_timeout=2)
        await ws.send(json.dumps({"op": "subscribe"}))
        while True:             # the snapshot comes first
            msg = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if msg.get("type") == "hall.snapshot":
                break
        self.socks.append(ws)
        self.tasks.append(asyncio.ensure_future(self.reader(ws)))

    async def open(self):
        for i in range(0, self.n, 50):          # 50 handshakes at a time
            await asyncio.gather(*(self.open_one() for _ in range(min(50, self.n - i))))

    async def reader(self, ws):
        try:
            async for raw in ws:
                at = time.perf_counter()
                if '"ticket.called"' not in raw and '"ticket.done"' not in raw:
                    continue
                ev = json.loads(raw)
                key = (ev.get("type"), ev.get("ticket", {}).get("id"))
                lst = self.seen.setdefault(key, [])
                lst.append(at)
                if len(lst) == self.n:
                    fut = self.waiters.get(key)
                    if fut is not None and not fut.done():
                        fut.set_result(True)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed += 1

    async def all_saw(self, key, timeout):
        if len(self.seen.get(key, ())) >= self.n:
            return True
        fut = asyncio.get_running_loop().create_future()
        self.waiters[key] = fut
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except asyncio.TimeoutError:
            return False

    async def close(self):
        await asyncio.gather(*(ws.close() for ws in self.socks), return_exceptions=True)
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def phase_fanout(port, nclients, nrounds):
    fan = Fanout(port, nclients)
    t0 = time.monotonic()
    await asyncio.wait_for(fan.open(), PHASE_TIMEOUT)
    connect_s = time.monotonic() - t0
    c = Http(port, TOKENS["clerk"])
    lat, first, last, rest, missing, rounds = [], [], [], [], 0, 0
    deadline = time.monotonic() + PHASE_TIMEOUT
    for i in range(nrounds):
        if time.monotonic() > deadline or fan.closed:
            break
        w = i % NWINDOWS + 1
        t0 = time.perf_counter()
        status, body = await c.request("POST", "/api/windows/%d/call-next" % w)
        if status != 200:
            continue
        rest.append(time.perf_counter() - t0)
        tid = json.loads(body)["ticket"]["id"]
        if not await fan.all_saw(("ticket.called", tid), 10):
            missing += nclients - len(fan.seen.get(("ticket.called", tid), ()))
        got = [at - t0 for at in fan.seen.get(("ticket.called", tid), ())]
        lat.extend(got)
        if got:
            first.append(min(got))
            last.append(max(got))
        rounds += 1
        # Let the finish's event reach everyone before the next call is timed.
        status, _ = await c.request("POST", "/api/windows/%d/finish" % w)
        if status == 200:
            await fan.all_saw(("ticket.done", tid), 10)
    c.close()
    closed = fan.closed
    await fan.close()
    return lat, first, last, rest, missing, rounds, connect_s, closed


def ms(v):
    return "%.2f ms" % (v * 1000)


async def run(hallqd, tmp, port, conf):
    """Start the daemon, run the phases, stop it.  Returns (rc, figures);
    figures["died"] is the daemon's status when it did not live to the end."""
    daemon = Daemon(hallqd, conf, tmp)
    figures = {}
    rc = 1
    try:
        if not await wait_ready(port, daemon):
            if daemon.alive():
                print("hallqd did not come up; its log ends:\n" + daemon.tail(),
                      file=sys.stderr)
            return 1, figures
        rc = await phases(port, figures)
        return rc, figures
    except (OSError, EOFError, ValueError, KeyError, asyncio.TimeoutError,
            websockets.WebSocketException) as e:
        print("bench: a phase failed: %r" % e, file=sys.stderr)
        return 1, figures
    finally:
        hwm, rss = daemon.status_value("VmHWM"), daemon.status_value("VmRSS")
        if hwm is not None:
            row("daemon peak RSS (VmHWM)", "%.1f MiB   (VmRSS at the end %.1f MiB)"
                % (hwm / 1024.0, (rss or 0) / 1024.0))
        alive = daemon.alive()
        status = daemon.stop()
        if not alive:
            figures["died"] = status
            print("hallqd died during the run (status %s); its log ends:\n%s"
                  % (status, daemon.tail()), file=sys.stderr)
        elif status != 0:
            print("hallqd exited %s after SIGTERM" % status, file=sys.stderr)


async def phases(port, figures):
    # One client: each issue waits for its own commit.
    n1, secs, other = await phase_issue(port, 1, ISSUE_SECONDS_ONE, WAITING_TARGET)
    row("durable issues/s (POST /api/tickets, 1 client)",
        "%.0f   (%d in %.2f s%s)" % (n1 / secs, n1, secs,
                                    ", other answers %s" % other if other else ""))
    # Many: the core commits what waits together (group commit).
    n, secs, other = await phase_issue(port, ISSUE_CLIENTS, ISSUE_SECONDS,
                                       max(1, WAITING_TARGET - n1))
    figures["issues_per_s"] = n / secs if secs > 0 else 0.0
    row("durable issues/s (POST /api/tickets, %d clients)" % ISSUE_CLIENTS,
        "%.0f   (%d in %.2f s%s)" % (figures["issues_per_s"], n, secs,
                                    ", other answers %s" % other if other else ""))

    waiting = await waiting_total(port) or 0
    if waiting < WAITING_TARGET:
        await top_up(port, WAITING_TARGET - waiting)
        waiting = await waiting_total(port) or 0
    calls, finishes, odd = await phase_call_next(port)
    row("call-next latency, %d waiting (REST round trip)" % waiting,
        "p50 %s   p99 %s   (n=%d%s)" % (ms(pct(calls, 50)), ms(pct(calls, 99)), len(calls),
                                        ", %s" % odd if odd else ""))
    row("finish latency (REST round trip)",
        "p50 %s   p99 %s   (n=%d)" % (ms(pct(finishes, 50)), ms(pct(finishes, 99)),
                                     len(finishes)))

    lat, _, _, rest, _, rounds, _, _ = await phase_fanout(port, 1, WS_ROUNDS)
    row("call-next -> ticket.called at 1 WS client (baseline)",
        "p50 %s   p99 %s   (%d calls; REST reply p50 %s)"
        % (ms(pct(lat, 50)), ms(pct(lat, 99)), rounds, ms(pct(rest, 50))))
    lat, first, last, rest, missing, rounds, connect_s, closed = \
        await phase_fanout(port, WS_CLIENTS, WS_ROUNDS)
    extra = ""
    if missing:
        extra += ", %d deliveries missing" % missing
    if closed:
        extra += ", %d clients closed by the server" % closed
    row("call-next -> ticket.called at %d WS clients" % WS_CLIENTS,
        "p50 %s   p99 %s   (%d calls, %d deliveries%s)"
        % (ms(pct(lat, 50)), ms(pct(lat, 99)), rounds, len(lat), extra))
    row("  first client of each call / last client of each call",
        "p50 %s / %s   p99 %s / %s" % (ms(pct(first, 50)), ms(pct(last, 50)),
                                       ms(pct(first, 99)), ms(pct(last, 99))))
    row("  the same call-next's REST reply meanwhile",
        "p50 %s   p99 %s" % (ms(pct(rest, 50)), ms(pct(rest, 99))))
    row("  (all %d clients in one Python process, so the spread" % WS_CLIENTS, "")
    row("   includes the client's own work; subscribed in %.2f s)" % connect_s, "")
    return 0


def raw_commits(store, tmp, when):
    """The ceiling: bench_store for SECONDS in the database's directory."""
    out = subprocess.run([store, tmp, "1000000", "3"], capture_output=True, text=True,
                         timeout=60)
    if out.returncode == 0 and out.stdout.startswith("commits_per_s"):
        f = out.stdout.split()
        row("raw SQLite commits/s, %s" % when,
            "%.0f   (%s single-row transactions in %s s, WAL, synchronous=FULL)"
            % (float(f[1]), f[3], f[5]))
        return float(f[1])
    row("raw SQLite commits/s, %s" % when, "failed: %s" % (out.stderr.strip() or out.returncode))
    return None


def main():
    hallqd = os.path.abspath(os.environ.get("HALLQD", os.path.join(ROOT, "build", "hallqd")))
    store = os.path.abspath(os.environ.get("BENCH_STORE",
                                           os.path.join(ROOT, "build", "bench_store")))
    for b in (hallqd, store):
        if not os.access(b, os.X_OK):
            print("bench: %s is missing (make all build/bench_store)" % b, file=sys.stderr)
            return 1
    tmp = tempfile.mkdtemp(prefix="hallq-bench-", dir=os.environ.get("BENCH_DIR") or None)
    try:
        print("hallq bench — %s, %d CPUs, data in %s" % (
            time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, tmp), flush=True)
        before = raw_commits(store, tmp, "before the daemon")
        for attempt in (1, 2):
            run_dir = os.path.join(tmp, "run%d" % attempt)
            os.mkdir(run_dir)
            port = free_port()
            conf = make_config(run_dir, port)
            rc, figures = asyncio.run(run(hallqd, run_dir, port, conf))
            died = figures.get("died")
            # On a shared machine someone's `pkill hallqd` can hit this daemon
            # too: a death by signal is worth one more try, nothing else is.
            if attempt == 1 and died is not None and died < 0:
                print("bench: hallqd was killed by signal %d from outside; once more"
                      % -died, file=sys.stderr)
                continue
            break
        after = raw_commits(store, tmp, "after the daemon")
        ceiling = [c for c in (before, after) if c]
        if ceiling and figures.get("issues_per_s"):
            mean = sum(ceiling) / len(ceiling)
            row("ratio durable issues/s ÷ raw commits/s",
                "%.2f   (%.0f ÷ %.0f, the mean of the raw runs)"
                % (figures["issues_per_s"] / mean, figures["issues_per_s"], mean))
        return rc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
