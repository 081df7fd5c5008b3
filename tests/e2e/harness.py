"""harness.py — runs the real hallqd on loopback for the end-to-end tests.

Hall: a small test config in a fresh temp dir (database, config, stderr log),
the daemon started as `$HALLQD -d -f CONFIG` on 127.0.0.1:<free port>, an HTTP
client (http.client, keep-alive, Authorization: Bearer), a WebSocket client
(Debian's python3-websockets 10.4, asyncio) and a raw WebSocket client for the
frames a polite library would never send.  Every wait is bounded.
"""
import asyncio
import base64
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
HALLQD = os.environ.get("HALLQD") or os.path.join(REPO, "build", "hallqd")

HALL_NAME = "测试县政务服务中心"

DOMAINS = {"SB": "社会保险", "YB": "医疗保障", "BDC": "不动产"}

# Two prefixes: A for 社保 and 不动产, B for 医保.
MATTERS = [
    {"code": "SB01", "name": "社保参保登记", "domain": "SB", "prefix": "A"},
    {"code": "SB02", "name": "社保关系转移", "domain": "SB", "prefix": "A"},
    {"code": "YB01", "name": "医保参保登记", "domain": "YB", "prefix": "B"},
    {"code": "YB02", "name": "医保报销", "domain": "YB", "prefix": "B"},
    {"code": "BDC01", "name": "不动产登记", "domain": "BDC", "prefix": "A"},
    {"code": "BDC02", "name": "不动产查询", "domain": "BDC", "prefix": "A"},
]
ALL = [m["code"] for m in MATTERS]
SB = ["SB01", "SB02"]
YB = ["YB01", "YB02"]
BDC = ["BDC01", "BDC02"]

# Windows 1-4 open, 5 and 6 closed.  Window 3 is a 分领域 window: 社保 first,
# 医保 only when nothing of 社保 waits or a 医保 ticket waited over 1200 s.
WINDOWS = [
    {"number": 1, "name": "1号窗口", "kind": "无差别", "state": "open", "tiers": [ALL]},
    {"number": 2, "name": "2号窗口", "kind": "无差别", "state": "open", "tiers": [ALL]},
    {"number": 3, "name": "3号窗口", "kind": "分领域", "state": "open",
     "tiers": [SB, YB], "overflow_s": [0, 1200]},
    {"number": 4, "name": "4号窗口", "kind": "分领域", "state": "open",
     "tiers": [YB, SB], "overflow_s": [0, 1200]},
    {"number": 5, "name": "5号窗口", "kind": "分领域", "state": "closed", "tiers": [BDC]},
    {"number": 6, "name": "绿色通道", "kind": "绿色通道", "state": "closed",
     "tiers": [ALL], "tier_classes": [["green"]]},
]

TOKENS = {
    "kiosk": ["k1"],
    "clerk": {"c3": [3], "c-all": "*"},
    "manager": ["m1"],
    "admin": ["a1"],
    "display": ["d1"],
}


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def base_config(dirpath, port, **over):
    """The test hall as a dict; `over` maps dotted keys to values
    (e.g. {"web.event_ring": 64, "hall.name": "x"})."""
    conf = {
        "hall": {"name": HALL_NAME, "timezone": "Asia/Shanghai"},
        "listen": "127.0.0.1:%d" % port,
        "database": os.path.join(dirpath, "hallq.db"),
        "web": {"root": os.path.join(REPO, "web")},
        "tokens": json.loads(json.dumps(TOKENS)),
        "classes": {"green": {"head_start_s": 900},
                    "appointment": {"head_start_s": 600},
                    "normal": {"head_start_s": 0}},
        "domains": dict(DOMAINS),
        "matters": json.loads(json.dumps(MATTERS)),
        "windows": json.loads(json.dumps(WINDOWS)),
        # No call.announce events unless a test asks for them: the event
        # counts of the core tests stay those of the calls themselves.
        "voice": {"languages": []},
    }
    for k, v in over.items():
        parts = k.split(".")
        d = conf
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return conf


# ---------------------------------------------------------------- hall time

HALL_TZ = datetime.timezone(datetime.timedelta(hours=8))   # Asia/Shanghai


def hall_ms(y, mo, d, h=0, mi=0, s=0):
    """Epoch ms of a wall-clock moment in the hall's zone (UTC+8, no DST)."""
    return int(datetime.datetime(y, mo, d, h, mi, s, tzinfo=HALL_TZ).timestamp() * 1000)


def hall_day(ms):
    """The hall's date 'YYYY-MM-DD' of an epoch ms."""
    return datetime.datetime.fromtimestamp(ms / 1000, HALL_TZ).strftime("%Y-%m-%d")


def hall_hm(ms):
    """The hall's wall clock 'YYYY-MM-DD HH:MM:SS' of an epoch ms (for messages)."""
    return datetime.datetime.fromtimestamp(ms / 1000, HALL_TZ).strftime("%Y-%m-%d %H:%M:%S")


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check(first17):
    """The GB 11643 check character of 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def id_number(n, region="110101", birth="19900101"):
    """A valid 18-character ID number, distinct for each n < 1000 per birth
    date (vary `birth` for more)."""
    first = "%s%s%03d" % (region, birth, n % 1000)
    return first + id_check(first)


def id_numbers(count, region="110101"):
    """`count` distinct valid ID numbers (up to 1000 per birth day)."""
    out = []
    base = datetime.date(1980, 1, 1)
    for i in range(count):
        birth = (base + datetime.timedelta(days=i // 1000)).strftime("%Y%m%d")
        out.append(id_number(i % 1000, region, birth))
    return out


def mobile(n):
    """A valid 11-digit mainland mobile number, distinct for each n < 10**8."""
    return "139%08d" % n


# The hours hall (issue 13): the hall opens 08:30-12:00 and 13:30-17:30 on
# weekdays, closed at the weekend; 2026-12-03 (Thursday) is a holiday and
# 2026-12-05 (Saturday) a 调休 make-up day (Monday's hours).  Window 1 is a
# lunch-time window (08:30-17:30 without a break), window 5 closes at 17:00.
# SB01 (capacity 3 a slot) and SB02 (2) are bookable, served by windows 1
# and 2 (capacity: 50% × 2 windows × 30 min ÷ 10 min = 3).
HOURS_WEEKDAY = [["08:30", "12:00"], ["13:30", "17:30"]]
HOURS_HOLIDAY = "2026-12-03"
HOURS_MAKEUP = "2026-12-05"


def hours_over(window_state="open", **extra):
    """`over` for Hall(): the hours hall (see above); `extra` as in
    base_config (dotted keys)."""
    week = {d: HOURS_WEEKDAY for d in ("mon", "tue", "wed", "thu", "fri")}
    week.update({"sat": [], "sun": []})
    lunch = {d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    early = {d: [["08:30", "12:00"], ["13:30", "17:00"]]
             for d in ("mon", "tue", "wed", "thu", "fri")}
    matters = json.loads(json.dumps(MATTERS))
    for m in matters:
        if m["code"] == "SB01":
            m["appointment"] = {"capacity_per_slot": 3}
        if m["code"] == "SB02":
            m["appointment"] = {"capacity_per_slot": 2}
        if m["code"] == "BDC01":
            m["service_s"] = 1200
    st = window_state if isinstance(window_state, dict) else {}
    dflt = window_state if isinstance(window_state, str) else "open"
    windows = [
        {"number": 1, "name": "1号窗口", "kind": "午间", "hours": lunch,
         "tiers": [["SB01", "SB02"]]},
        {"number": 2, "name": "2号窗口", "tiers": [["SB01", "SB02", "YB01"]]},
        {"number": 3, "name": "3号窗口", "tiers": [["YB01", "YB02"]]},
        {"number": 4, "name": "4号窗口", "tiers": [["BDC01"]]},
        {"number": 5, "name": "5号窗口", "hours": early, "tiers": [["BDC02"]]},
    ]
    for w in windows:
        w["state"] = st.get(w["number"], dflt)
    tokens = json.loads(json.dumps(TOKENS))
    tokens["integration"] = ["i1"]
    over = {
        "hall.closing_notice_min": 30,
        "hours": week,
        "calendar": {"holidays": [HOURS_HOLIDAY], "workdays": [HOURS_MAKEUP]},
        "appointments": {"slot_min": 30, "horizon_days": 7, "min_lead_min": 5,
                         "early_min": 30, "late_min": 15, "per_person_per_day": 1,
                         "share_pct": 50, "purge_days": 30,
                         "public_per_minute": 1000},
        "matters": matters,
        "windows": windows,
        "tokens": tokens,
    }
    over.update(extra)
    return over


class DaemonError(AssertionError):
    pass


class Hall:
    """One hallqd with its own temp dir.  Use start() / stop() / kill9() /
    restart(); http() gives a client, ws_url() the WebSocket address."""

    def __init__(self, **over):
        self.dir = tempfile.mkdtemp(prefix="hallq-e2e-")
        self.over = over
        self.port = free_port()
        self.config_path = os.path.join(self.dir, "hallq.json")
        self.db_path = os.path.join(self.dir, "hallq.db")
        self.proc = None
        self.nstarts = 0
        self.write_config()
        self._client = None
        # Extra environment (e.g. HALLQ_CLOCK_START) and flags (e.g. -a)
        # for the next start; see set_clock().
        self.env = {}
        self.args = []
        self._launched = None

    # -- config
    def config(self, **extra):
        over = dict(self.over)
        over.update(extra)
        return base_config(self.dir, self.port, **over)

    def write_config(self, conf=None, text=None):
        if text is None:
            text = json.dumps(conf if conf is not None else self.config(),
                              ensure_ascii=False, indent=2)
        tmp = self.config_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    # -- process
    @property
    def stderr_path(self):
        return os.path.join(self.dir, "stderr.%d.log" % self.nstarts)

    def stderr_tail(self, n=3000):
        try:
            with open(self.stderr_path, "rb") as f:
                data = f.read()
            return data[-n:].decode("utf-8", "replace")
        except OSError:
            return "(no stderr)"

    def start(self, timeout=15):
        try:
            return self._start(timeout)
        except DaemonError as e:
            # On a shared machine someone's `pkill hallqd` may hit a daemon
            # before it has its handlers: that is not the daemon's failure.
            if "exited with -15 at start" not in str(e):
                raise
            print("  [hallqd got SIGTERM from elsewhere while starting: retrying]")
            return self._start(timeout)

    def _start(self, timeout):
        assert self.proc is None, "already running"
        if not os.access(HALLQD, os.X_OK):
            raise DaemonError("no daemon at %s" % HALLQD)
        self.nstarts += 1
        self._err = open(self.stderr_path, "wb")
        env = None
        if self.env:
            env = dict(os.environ)
            env.update(self.env)
        self._launched = time.monotonic()
        self.proc = subprocess.Popen([HALLQD, "-d"] + list(self.args) +
                                     ["-f", self.config_path],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._err, stderr=self._err,
                                     cwd=self.dir, env=env)
        deadline = time.monotonic() + timeout
        last = None
        for _ in range(int(timeout / 0.05) + 1):
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self._reap()
                raise DaemonError("hallqd exited with %s at start:\n%s" %
                                  (code, self.stderr_tail()))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/api/status")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return self
                last = "status %d" % r.status
            except OSError as e:
                last = repr(e)
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.kill9()
        raise DaemonError("hallqd did not answer /api/status in %ss (%s):\n%s" %
                          (timeout, last, self.stderr_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _reap(self):
        self.proc = None
        if self._client is not None:
            self._client.close()
            self._client = None
        try:
            self._err.close()
        except Exception:
            pass

    def stop(self, timeout=20):
        """SIGTERM; the daemon must exit 0."""
        if self.proc is None:
            return
        p = self.proc
        if p.poll() is not None:
            code = p.returncode
            self._reap()
            raise DaemonError("hallqd had already exited with %s:\n%s" %
                              (code, self.stderr_tail()))
        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
            self._reap()
            raise DaemonError("hallqd did not exit %ss after SIGTERM:\n%s" %
                              (timeout, self.stderr_tail()))
        self._reap()
        if code != 0:
            raise DaemonError("hallqd exited with %s after SIGTERM:\n%s" %
                              (code, self.stderr_tail()))

    def kill9(self):
        if self.proc is None:
            return
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._reap()

    def restart(self, new_port=True):
        """Start again on the same database (after stop() or kill9())."""
        if self.proc is not None:
            self.stop()
        if new_port:
            self.port = free_port()
            self.write_config()
        return self.start()

    # -- the hall's clock (HALLQ_CLOCK_START, issue 13)
    def set_clock(self, ms):
        """The next start begins the daemon's clock at `ms` (epoch ms); it
        then runs at real speed."""
        self.env["HALLQ_CLOCK_START"] = str(int(ms))

    def clock_guess(self):
        """The daemon's clock now, as guessed from its last launch (for a
        restart after kill9(), when it cannot be asked)."""
        start = int(self.env["HALLQ_CLOCK_START"])
        return start + int((time.monotonic() - self._launched) * 1000)

    def now(self):
        """The daemon's clock (GET /api/status "now")."""
        return self.status()["now"]

    def wait_clock(self, ms, timeout=30):
        """Wait (bounded) until the daemon's clock reaches `ms`."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 1):
            now = self.now()
            if now >= ms:
                return now
            if time.monotonic() > deadline:
                break
            time.sleep(min(0.05, max((ms - now) / 1000.0, 0.005)))
        raise AssertionError("the hall's clock did not reach %d in %ss" % (ms, timeout))

    def wait_event(self, pred, since=0, timeout=15, token="d1"):
        """Poll GET /api/events until an event with pred(ev) is there
        (bounded); returns it."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.1) + 2):
            for ev in self.events(since=since, token=token):
                if pred(ev):
                    return ev
                since = max(since, ev["seq"])
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        raise AssertionError("no such event within %ss" % timeout)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def cleanup(self):
        """Kill what is left; remove the temp dir (E2E_KEEP=1 keeps it)."""
        try:
            if self.proc is not None:
                self.kill9()
        finally:
            if os.environ.get("E2E_KEEP"):
                print("  [kept %s]" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    # -- clients
    def http(self, timeout=15):
        return Client(self.port, timeout)

    @property
    def client(self):
        if self._client is None:
            self._client = self.http()
        return self._client

    def req(self, method, path, body=None, token=None, **kw):
        return self.client.req(method, path, body, token, **kw)

    def issue(self, matter="SB01", token="k1", **fields):
        body = {"matter": matter}
        body.update(fields)
        return self.req("POST", "/api/tickets", body, token)

    def issue_ok(self, matter="SB01", **fields):
        r = self.issue(matter, **fields)
        if r.status != 201:
            raise AssertionError("issue %s: %s %r" % (matter, r.status, r.body))
        return r.json["ticket"]

    def win(self, n, cmd, body=None, token="c-all"):
        return self.req("POST", "/api/windows/%d/%s" % (n, cmd), body, token)

    def ticket(self, tid, token="m1"):
        r = self.req("GET", "/api/tickets/%d" % tid, None, token)
        if r.status != 200:
            raise AssertionError("GET ticket %d: %s %r" % (tid, r.status, r.body))
        return r.json["ticket"]

    def status(self):
        r = self.req("GET", "/api/status")
        if r.status != 200:
            raise AssertionError("status: %s %r" % (r.status, r.body))
        return r.json

    def events(self, since=0, token="d1", limit=1000, max_pages=200):
        """The whole event log after `since`, paged."""
        out = []
        for _ in range(max_pages):
            r = self.req("GET", "/api/events?since=%d&limit=%d" % (since, limit),
                         None, token)
            if r.status != 200:
                raise AssertionError("events: %s %r" % (r.status, r.body))
            evs = r.json["events"]
            if not evs:
                return out
            out.extend(evs)
            since = r.json["next"]
        raise AssertionError("event log longer than %d pages" % max_pages)

    def ws_url(self, token="d1", path="/ws"):
        if token is None:
            return "ws://127.0.0.1:%d%s" % (self.port, path)
        return "ws://127.0.0.1:%d%s?token=%s" % (self.port, path, token)

    def assert_serving(self, timeout=15):
        """The daemon is up and answers REST."""
        if not self.alive():
            raise DaemonError("hallqd died (exit %s):\n%s" %
                              (self.proc.returncode if self.proc else None,
                               self.stderr_tail()))
        c = self.http(timeout)
        try:
            r = c.req("GET", "/api/status")
        except OSError as e:
            raise DaemonError("hallqd does not answer GET /api/status (%r); "
                              "its stderr:\n%s" % (e, self.stderr_tail()))
        finally:
            c.close()
        if r.status != 200 or not r.json.get("ok"):
            raise DaemonError("status after the fact: %s %r" % (r.status, r.body))


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self._json = None

    @property
    def json(self):
        if self._json is None:
            if not self.body:
                raise AssertionError("status %s with an empty body" % self.status)
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except ValueError as e:
                raise AssertionError("status %s, body is not JSON (%s): %r" %
                                     (self.status, e, self.body[:300]))
        return self._json

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%s %r>" % (self.status, self.body[:400])


class Client:
    """Keep-alive HTTP client; reconnects once if the server closed an idle
    connection."""

    def __init__(self, port, timeout=15):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def req(self, method, path, body=None, token=None, headers=None, raw=None,
            retry=True):
        hdrs = {}
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                r = self.conn.getresponse()
                payload = r.read()
                rep = Reply(r.status, r.getheaders(), payload)
                if r.will_close:
                    self.close()
                return rep
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError, http.client.CannotSendRequest) as e:
                self.close()
                if fresh or not retry or attempt == 1:
                    raise
                err = e  # noqa: F841 - an idle keep-alive connection closed
            except Exception:
                self.close()
                raise
        raise AssertionError("unreachable")


class SourceClient(Client):
    """A client that connects from another loopback address (any of 127/8),
    as another machine would: a fresh connection for every request."""

    def __init__(self, port, source, timeout=15):
        super().__init__(port, timeout)
        self.source = source

    def req(self, method, path, body=None, token=None, headers=None, raw=None,
            retry=False):
        self.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=self.timeout,
                                               source_address=(self.source, 0))
        try:
            return super().req(method, path, body, token, headers, raw, retry=False)
        finally:
            self.close()


# ---------------------------------------------------------------- WebSocket

async def ws_open(hall, token="d1", **kw):
    kw.setdefault("open_timeout", 10)
    kw.setdefault("close_timeout", 5)
    kw.setdefault("max_size", 16 * 1024 * 1024)
    return await websockets.connect(hall.ws_url(token), subprotocols=["hallq.v1"],
                                    ping_interval=None, **kw)


async def ws_send(ws, obj):
    await ws.send(json.dumps(obj, ensure_ascii=False))


async def ws_recv(ws, timeout=10, skip_auth=True):
    """Next message as JSON; fails after `timeout` s.  The daemon greets a
    client that gave a token with {"type":"auth","role":...}: skipped."""
    deadline = time.monotonic() + timeout
    for _ in range(3):
        left = max(deadline - time.monotonic(), 0.001)
        try:
            msg = await asyncio.wait_for(ws.recv(), left)
        except asyncio.TimeoutError:
            raise AssertionError("no WebSocket message within %ss" % timeout)
        if isinstance(msg, bytes):
            raise AssertionError("binary WebSocket message: %r" % msg[:100])
        try:
            m = json.loads(msg)
        except ValueError:
            raise AssertionError("WebSocket message is not JSON: %r" % msg[:300])
        if skip_auth and isinstance(m, dict) and m.get("type") == "auth":
            continue
        return m
    raise AssertionError("only auth messages")


async def ws_events_until(ws, last_seq, timeout=20, max_msgs=100000):
    """Collect event messages (those with "seq" and no "req" reply) until one
    with seq >= last_seq.  Returns (events, others)."""
    evs, others = [], []
    deadline = time.monotonic() + timeout
    for _ in range(max_msgs):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        m = await ws_recv(ws, left)
        if m.get("type") in ("reply", "hall.snapshot", "auth", "error") or "seq" not in m:
            others.append(m)
            continue
        evs.append(m)
        if m["seq"] >= last_seq:
            return evs, others
    raise AssertionError("events up to seq %d did not all arrive: got %d, last %r" %
                         (last_seq, len(evs), evs[-1]["seq"] if evs else None))


async def ws_reply(ws, req, timeout=10, max_msgs=100000, keep=None):
    """Wait for the reply carrying `req`; other messages go to `keep`."""
    deadline = time.monotonic() + timeout
    for _ in range(max_msgs):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        m = await ws_recv(ws, left)
        if m.get("req") == req:
            return m
        if keep is not None:
            keep.append(m)
    raise AssertionError("no reply for req %r" % req)


def run_async(coro, timeout=120):
    async def bounded():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(bounded())


class RawWS:
    """A WebSocket client on a bare socket: handshake, frames of any shape,
    and the choice never to read."""

    def __init__(self, port, path="/ws?token=d1", rcvbuf=None, protocol="hallq.v1",
                 timeout=10):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % port,
                 "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
        if protocol:
            lines.append("Sec-WebSocket-Protocol: " + protocol)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        for _ in range(1000):
            if b"\r\n\r\n" in self.buf:
                break
            d = self.sock.recv(4096)
            if not d:
                raise AssertionError("connection closed during handshake")
            self.buf += d
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status_line = head.split(b"\r\n")[0].decode("latin-1")
        if " 101 " not in self.status_line + " ":
            raise AssertionError("handshake refused: %r" % head[:300])

    def send_frame(self, opcode, payload, fin=True, mask=True, length=None):
        b0 = (0x80 if fin else 0) | opcode
        n = len(payload) if length is None else length
        if n < 126:
            hdr = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
        else:
            hdr = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
        if mask:
            mk = os.urandom(4)
            payload = bytes(b ^ mk[i % 4] for i, b in enumerate(payload)) \
                if len(payload) < 4096 else _xor_mask(payload, mk)
            hdr += mk
        self.sock.sendall(hdr + payload)

    def send_text(self, s):
        self.send_frame(0x1, s.encode("utf-8") if isinstance(s, str) else s)

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def _need(self, n):
        for _ in range(100000):
            if len(self.buf) >= n:
                return
            d = self.sock.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        raise AssertionError("frame too long to read")

    def recv_frame(self):
        """(opcode, payload); raises EOFError at the end of the stream."""
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        n = b1 & 0x7F
        off = 2
        if n == 126:
            self._need(4)
            n = struct.unpack("!H", self.buf[2:4])[0]
            off = 4
        elif n == 127:
            self._need(10)
            n = struct.unpack("!Q", self.buf[2:10])[0]
            off = 10
        if b1 & 0x80:
            off += 4
        self._need(off + n)
        payload = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        return b0 & 0x0F, payload

    def recv_json(self, max_frames=1000):
        for _ in range(max_frames):
            op, p = self.recv_frame()
            if op == 0x1:
                m = json.loads(p.decode("utf-8"))
                if isinstance(m, dict) and m.get("type") == "auth":
                    continue
                return m
            if op == 0x8:
                raise EOFError("close frame %r" % p[:2])
        raise AssertionError("no text frame")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _xor_mask(payload, mk):
    n = len(payload)
    m = (mk * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(m, "big")).to_bytes(n, "big")


def raw_http(port, data, timeout=10, max_bytes=1 << 20, source=None):
    """Send raw bytes, read what comes back until close or timeout.
    Returns (status or None, bytes).  `source`: the local address to send
    from (any of 127/8), as another machine of the hall would."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0) if source else None)
    out = b""
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while len(out) < max_bytes and time.monotonic() < deadline:
            try:
                d = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not d:
                break
            out += d
            if b"\r\n\r\n" in out:
                head = out.split(b"\r\n\r\n", 1)[0]
                cl = None
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        cl = int(v.strip())
                if cl is not None and len(out) >= len(head) + 4 + cl:
                    break
    finally:
        s.close()
    status = None
    if out.startswith(b"HTTP/1."):
        try:
            status = int(out.split(b" ", 2)[1])
        except (IndexError, ValueError):
            pass
    return status, out


# ---------------------------------------------------------------- test bases

import unittest  # noqa: E402


class HallCase(unittest.TestCase):
    """A fresh daemon for every test; SIGTERM at the end must exit 0."""

    hall_over = {}

    def setUp(self):
        self.hall = Hall(**self.hall_over)
        self.addCleanup(self.hall.cleanup)
        self.hall.start()

    def tearDown(self):
        # Runs before the cleanups: a failing stop is a failing test.
        if self.hall.proc is not None:
            self.hall.stop()

    def assertError(self, r, status, code=None):
        """r is a 4xx/5xx with the error shape (and the given code)."""
        self.assertEqual(r.status, status, r)
        err = r.json.get("error")
        self.assertIsInstance(err, dict, r)
        self.assertIsInstance(err.get("code"), str, r)
        self.assertIsInstance(err.get("message"), str, r)
        if code is not None:
            self.assertEqual(err["code"], code, r)
        return err


class SharedHallCase(HallCase):
    """One daemon for the whole class (tests must not depend on its state)."""

    @classmethod
    def setUpClass(cls):
        cls.hall = Hall(**cls.hall_over)
        try:
            cls.hall.start()
        except Exception:
            cls.hall.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.hall.proc is not None:
                cls.hall.stop()
        finally:
            cls.hall.cleanup()

    def setUp(self):
        pass

    def tearDown(self):
        pass


class ClockHallCase(HallCase):
    """A fresh hall for each test, its clock started at `clock` (epoch ms,
    HALLQ_CLOCK_START) with the flags `hall_args` (e.g. ("-a",))."""

    clock = None
    hall_args = ()

    def setUp(self):
        self.hall = self.new_hall(self.clock, self.hall_over, self.hall_args)

    def new_hall(self, clock, over=None, args=()):
        """Another started hall (cleaned up at the end of the test)."""
        h = Hall(**(over if over is not None else self.hall_over))
        self.addCleanup(h.cleanup)
        if clock is not None:
            h.set_clock(clock)
        h.args = list(args)
        h.start()
        return h

    def later(self, clock, h=None):
        """Stop the daemon (it must exit 0) and start it again on the same
        database, its clock at `clock`."""
        h = h or self.hall
        h.stop()
        h.set_clock(clock)
        h.restart()
