#!/usr/bin/python3
"""bench_uplink.py — the MQTT uplink (issue 16); prints figures, asserts
nothing about speed.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_uplink.py

1. Throughput: a local mosquitto (Debian's, tests/e2e/mqtt.py; no
   persistence), a paho subscriber (QoS 1, persistent session) on
   {p}/{h}/events, and a burst of commands from 8 clients at 8 windows
   (issue, call-next, finish: three events a ticket) — events/s from the
   first command to the subscriber holding every seq, and the lag after the
   last command; with the default inflight (20) and with 200.
2. A backlog of 100,000 events after an outage: a few hundred tickets
   issued while the broker is away, then 100,000 copies of their events
   written straight into the events table of the SQLite file (the daemon
   stopped, the uplink's cursor left where it was); broker, subscriber and
   hall started — the time until GET /api/uplink says backlog 0 and until
   the subscriber holds every seq, events/s, the daemon's VmHWM; with the
   default inflight (20) and with 200.
3. call-next latency (p50 / p99 / max, each call its own connection, a
   finish between calls) while that backlog drains, then idle.

The subscriber and the clients are Python: the figures are lower bounds of
the daemon's.  Every wait is bounded.
"""
import os
import sqlite3
import threading
import time

from benchlib import Hall, pct, row
from harness import MATTERS, hall_ms

import mqtt

CLOCK = hall_ms(2026, 12, 1, 10, 0)
HALL_ID = "bench-01"
EVENTS = "hallq/%s/events" % HALL_ID
CLIENTS = 8
N_BURST = 3000            # tickets of the burst: ~9,000 events
N_BACKLOG = 100000
N_LATENCY = 300


def bench_hall(url, nwindows=CLIENTS, **uplink):
    u = {"url": url, "hall_id": HALL_ID, "keepalive_s": 30,
         "reconnect": {"first_s": 1, "max_s": 2}}
    u.update(uplink)
    windows = [{"number": i, "state": "open", "tiers": [["SB01"]]}
               for i in range(1, nwindows + 1)]
    h = Hall(uplink=u, windows=windows, matters=[dict(m) for m in MATTERS])
    h.set_clock(CLOCK)
    return h


def uplink_state(h):
    r = h.req("GET", "/api/uplink", None, "m1")
    if r.status != 200:
        raise RuntimeError("GET /api/uplink: %r" % r)
    return r.json


def wait_seqs(sub, n, timeout):
    """Wait until the subscriber holds n distinct seqs; returns when."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sub.nseqs(EVENTS) >= n:
            return time.monotonic()
        time.sleep(0.02)
    raise RuntimeError("the subscriber has %d of %d seqs after %ss" %
                       (sub.nseqs(EVENTS), n, timeout))


def wait_backlog0(h, timeout):
    deadline = time.monotonic() + timeout
    u = None
    while time.monotonic() < deadline:
        u = uplink_state(h)
        if u["connected"] and u["backlog"] == 0:
            return time.monotonic(), u
        time.sleep(0.05)
    raise RuntimeError("backlog not 0 after %ss: %r" % (timeout, u))


def vm(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def burst(h, n, nwindows=CLIENTS):
    """CLIENTS clients at once, each at its own window: issue, call-next,
    finish, n tickets in all.  Returns the seconds it took."""
    errs = []
    go = threading.Barrier(CLIENTS + 1, timeout=60)

    def client(k):
        c = h.http(timeout=30)
        w = k % nwindows + 1
        try:
            go.wait()
            for _ in range(k, n, CLIENTS):
                r = c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
                if r.status != 201:
                    raise RuntimeError("issue: %r" % r)
                r = c.req("POST", "/api/windows/%d/call-next" % w, None, "c-all")
                if r.status == 200:
                    r = c.req("POST", "/api/windows/%d/finish" % w, None, "c-all")
                    if r.status != 200:
                        raise RuntimeError("finish: %r" % r)
                elif r.status != 204:
                    raise RuntimeError("call-next: %r" % r)
        except Exception as e:
            errs.append(e)
            try:
                go.abort()
            except Exception:
                pass
        finally:
            c.close()
    ts = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(CLIENTS)]
    for t in ts:
        t.start()
    go.wait()
    t0 = time.monotonic()
    for t in ts:
        t.join(600)
    if errs:
        raise errs[0]
    return t0, time.monotonic() - t0


def throughput(inflight):
    b = mqtt.Broker("bench", persistence=False)
    sub = h = None
    try:
        b.start()
        sub = mqtt.Subscriber(b.port, [EVENTS]).start()
        kw = {} if inflight is None else {"inflight": inflight}
        h = bench_hall(b.url, **kw)
        h.start()
        wait_backlog0(h, 20)
        seq0 = h.status()["seq"]
        t0, secs = burst(h, N_BURST)
        t_cmd = t0 + secs
        seq = h.status()["seq"]
        t_all = wait_seqs(sub, seq, 300)
        t_b0, u = wait_backlog0(h, 300)
        n = seq - seq0
        label = "inflight %s" % (inflight if inflight is not None else 20)
        row("%s: events of the burst (%d tickets, %d clients)" % (label, N_BURST, CLIENTS),
            "%d in %.2f s of commands (%.0f events/s made)" % (n, secs, n / secs))
        row("%s: every event at the subscriber" % label,
            "%.2f s after the first command: %.0f events/s; %.0f ms after the last"
            % (t_all - t0, n / (t_all - t0), (t_all - t_cmd) * 1000))
        row("%s: backlog 0 (GET /api/uplink)" % label,
            "%.0f ms after the last command; published %d, reconnects %d"
            % ((t_b0 - t_cmd) * 1000, u["published"], u["reconnects"]))
        h.stop()
    finally:
        if sub is not None:
            sub.stop()
        if h is not None:
            h.cleanup()
        b.cleanup()


def fill_backlog(db_path, n):
    """n copies of the log's events appended (their seq and at renewed in
    the body too); every other durable reader's cursor moved past them, the
    uplink's left alone.  Returns the new last seq."""
    db = sqlite3.connect(db_path)
    try:
        last, at = db.execute("SELECT MAX(seq), MAX(at) FROM events").fetchone()
        base = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        db.execute(
            "INSERT INTO events (seq, at, type, body) "
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) "
            "SELECT ? + k.i, ? + k.i, e.type, "
            "json_set(e.body, '$.seq', ? + k.i, '$.at', ? + k.i) "
            "FROM k JOIN events e ON e.seq = 1 + (k.i - 1) % ?",
            (n, last, at, last, at, base))
        new_last = last + n
        db.execute("UPDATE cursors SET seq = ? WHERE name <> 'uplink'", (new_last,))
        db.commit()
        return new_last
    finally:
        db.close()


def latency_calls(h, n, stop=None, window=1):
    """call-next then finish at `window`, n times or until stop is set;
    returns the call-next latencies (ms)."""
    lat = []
    for _ in range(n):
        if stop is not None and stop.is_set():
            break
        c = h.http(timeout=30)
        t = time.perf_counter()
        r = c.req("POST", "/api/windows/%d/call-next" % window, None, "c-all")
        lat.append((time.perf_counter() - t) * 1000)
        c.close()
        if r.status != 200:
            raise RuntimeError("call-next: %r" % r)
        r = h.http(timeout=30).req("POST", "/api/windows/%d/finish" % window, None, "c-all")
        if r.status != 200:
            raise RuntimeError("finish: %r" % r)
    return lat


def say_lat(label, lat):
    if not lat:
        row(label, "no calls")
        return
    row(label, "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d calls)" %
        (pct(lat, 0.5), pct(lat, 0.99), max(lat), len(lat)))


def backlog(inflight=None, latency=True):
    port = mqtt.free_port()
    kw = {} if inflight is None else {"inflight": inflight}
    label = "inflight %s" % (inflight if inflight is not None else 20)
    h = bench_hall("mqtt://127.0.0.1:%d" % port, **kw)
    b = mqtt.Broker("bench-drain", port=port, persistence=False)
    sub = None
    try:
        # tickets for the latency calls, issued while the broker is away
        h.start()
        c = h.http(timeout=30)
        for _ in range(2 * N_LATENCY + 50):
            r = c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
            if r.status != 201:
                raise RuntimeError("issue: %r" % r)
        c.close()
        u = uplink_state(h)
        h.stop()
        t = time.monotonic()
        last = fill_backlog(h.db_path, N_BACKLOG)
        row("backlog written into the events table", "%d events (%d from the API) in %.1f s; "
            "database %.0f MB" % (last - u["acked_seq"], u["backlog"], time.monotonic() - t,
                                  os.path.getsize(h.db_path) / 1e6))

        b.start()
        sub = mqtt.Subscriber(b.port, [EVENTS]).start()
        h.set_clock(CLOCK + 60000)
        t0 = time.monotonic()
        h.restart(new_port=False)
        stop = threading.Event()
        during = []

        def caller():
            try:
                during.extend(latency_calls(h, N_LATENCY, stop))
            except Exception as e:
                during.append(e)
        th = threading.Thread(target=caller, daemon=True)
        if latency:
            th.start()
        t_b0, u = wait_backlog0(h, 900)
        stop.set()
        if latency:
            th.join(60)
        errs = [x for x in during if isinstance(x, Exception)]
        if errs:
            raise errs[0]
        hwm = vm(h.proc.pid, "VmHWM")
        seq = h.status()["seq"]
        t_all = wait_seqs(sub, seq, 900)
        n = u["seq"]
        row("%s: 100k backlog drained (GET /api/uplink)" % label,
            "%.1f s after starting the daemon: %.0f events/s" % (t_b0 - t0, n / (t_b0 - t0)))
        row("%s: 100k backlog, every seq at the subscriber" % label,
            "%.1f s after starting the daemon: %.0f events/s" % (t_all - t0, n / (t_all - t0)))
        row("%s: hallqd VmHWM after the drain" % label, "%d kB" % hwm)
        if latency:
            say_lat("%s: call-next while draining" % label,
                    [x for x in during if not isinstance(x, Exception)])
            say_lat("%s: call-next idle (backlog 0)" % label, latency_calls(h, N_LATENCY))
        h.stop()
    finally:
        if sub is not None:
            sub.stop()
        h.cleanup()
        b.cleanup()


def main():
    why = mqtt.available()
    if why:
        raise SystemExit("bench_uplink: " + why)
    print("bench_uplink: the MQTT uplink to a local mosquitto (QoS 1)", flush=True)
    throughput(None)
    throughput(200)
    backlog()
    backlog(200, latency=False)


if __name__ == "__main__":
    main()
