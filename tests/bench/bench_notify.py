#!/usr/bin/python3
"""bench_notify.py — the SMS outbox (issue 14); prints figures, asserts
nothing about speed.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_notify.py

1. Outbox throughput to a local gateway: the template SMS API of the e2e
   tests (tests/e2e/smsapi.py, answering OK at once) and N consenting
   tickets called by 8 windows at once (call-next, finish): messages/s from
   the first request the API gets to the last, next to the calls/s that
   made them.  Then a backlog: N "called" rows made while the gateway
   refuses connections, the daemon killed (-9) and started again with the
   gateway up — messages/s draining them.
2. From call-next to the local API's request, one ticket after the
   other, p50 / p99 (the daemon's part), then to the SMS centre: Debian's Kannel (bearerbox, smsbox,
   fakesmsc; tests/e2e/kannel.py) — the time from sending call-next to
   fakesmsc printing the "called" message, p50 / p99, one ticket after the
   other.

The hall's clock starts on Tuesday 2026-12-01 10:00 (HALLQ_CLOCK_START).
The gateway and the clients are Python: the figures are lower bounds of the
daemon's.  Every wait is bounded.
"""
import threading
import time

from benchlib import Hall, pct, row
from harness import MATTERS, free_port, hall_ms, mobile

import kannel
import smsapi

N_THROUGHPUT = 500
N_BACKLOG = 500
N_LATENCY = 200
CLIENTS = 8
CLOCK = hall_ms(2026, 12, 1, 10, 0)


def bench_hall(gateway, nwindows, **notify):
    n = {"gateway": gateway, "ahead_at": 0, "disabled": ["rate"],
         "retry": {"first_s": 1, "max_s": 1, "attempts": 100},
         "timeout_s": 5, "report_wait_s": 5}
    n.update(notify)
    windows = [{"number": i, "state": "open", "tiers": [["SB01"]]}
               for i in range(1, nwindows + 1)]
    h = Hall(notify=n, windows=windows, matters=[dict(m) for m in MATTERS])
    h.set_clock(CLOCK)
    return h


def issue_many(h, n, first=0):
    c = h.http(timeout=30)
    try:
        for i in range(n):
            r = c.req("POST", "/api/tickets", {"matter": "SB01", "phone": mobile(first + i),
                                               "notify": True}, "k1")
            if r.status != 201:
                raise RuntimeError("issue: %r" % r)
    finally:
        c.close()


def call_all(h, nwindows):
    """Each window calls one ticket (call-next; the ticket stays `called`,
    so its message stays due), CLIENTS clients at once; returns
    (start, seconds)."""
    errs = []
    go = threading.Barrier(CLIENTS + 1, timeout=60)

    def client(k):
        c = h.http(timeout=30)
        try:
            go.wait()
            for w in range(1 + k, nwindows + 1, CLIENTS):
                r = c.req("POST", "/api/windows/%d/call-next" % w, None, "c-all")
                if r.status != 200:
                    raise RuntimeError("call-next: %r" % r)
        except Exception as e:
            errs.append(e)
        finally:
            c.close()

    ths = [threading.Thread(target=client, args=(k,), daemon=True)
           for k in range(CLIENTS)]
    for t in ths:
        t.start()
    go.wait()
    t0 = time.monotonic()
    for t in ths:
        t.join(600)
    dt = time.monotonic() - t0
    if errs or any(t.is_alive() for t in ths):
        raise RuntimeError("windows: %r" % errs[:3])
    return t0, dt


def overview(h):
    r = h.req("GET", "/api/notifications", None, "m1")
    if r.status != 200:
        raise RuntimeError("notifications: %r" % r)
    return r.json


def throughput():
    api = smsapi.SmsApi().start()
    h = bench_hall(api.gateway(), N_THROUGHPUT)
    try:
        h.start()
        issue_many(h, N_THROUGHPUT)
        t0, dt = call_all(h, N_THROUGHPUT)
        reqs = api.wait_requests(N_THROUGHPUT, timeout=120)
        bad = api.problems()
        if bad:
            raise RuntimeError("the API saw bad requests: %r" % bad[:3])
        first, last = reqs[0].at, reqs[N_THROUGHPUT - 1].at
        row("call-next at %d windows, %d clients" % (N_THROUGHPUT, CLIENTS),
            "%.0f calls/s (%.2f s)" % (N_THROUGHPUT / dt, dt))
        row("outbox to a local SendSms-shaped API, first to last request",
            "%.0f msgs/s (%d in %.2f s)" % ((N_THROUGHPUT - 1) / max(last - first, 1e-6),
                                            N_THROUGHPUT, last - first))
        row("  last request after the last call answered",
            "%.0f ms" % ((last - (t0 + dt)) * 1e3))
        h.stop()
    finally:
        h.cleanup()
        api.stop()


def backlog():
    port = free_port()
    api = smsapi.SmsApi(port=port)          # not listening yet: refused
    h = bench_hall(api.gateway(), N_BACKLOG)
    try:
        h.start()
        issue_many(h, N_BACKLOG, 100000)
        call_all(h, N_BACKLOG)
        deadline = time.monotonic() + 120
        while overview(h).get("queued", 0) < N_BACKLOG:
            if time.monotonic() > deadline:
                raise RuntimeError("rows not queued: %r" %
                                   {k: v for k, v in overview(h).items()
                                    if k != "notifications"})
            time.sleep(0.2)
        clock = h.clock_guess()
        h.kill9()
        api.start()
        h.set_clock(clock)
        h.restart(new_port=False)
        t_up = time.monotonic()
        reqs = api.wait_requests(N_BACKLOG, timeout=120)
        bad = api.problems()
        if bad:
            raise RuntimeError("the API saw bad requests: %r" % bad[:3])
        # The rows that were due go at once; the few cut off in flight by
        # the kill ("sending") wait for their deadline (timeout_s +
        # report_wait_s), as after a time-out: a burst, then a gap.
        at = [r.at for r in reqs]
        burst = len(at)
        for i in range(1, len(at)):
            if at[i] - at[i - 1] > 1.0:
                burst = i
                break
        first, last = at[0], at[burst - 1]
        row("backlog of %d rows after kill -9 and restart, the burst" % N_BACKLOG,
            "%.0f msgs/s (%d in %.2f s; first %.0f ms after /api/status answered)" %
            ((burst - 1) / max(last - first, 1e-6), burst, last - first,
             (first - t_up) * 1e3))
        if burst < len(at):
            row("  rows cut off in flight by the kill, sent again later",
                "%d, %.1f s after the restart" % (len(at) - burst, at[-1] - t_up))
        sent = len({r.out_id for r in reqs})
        if sent != N_BACKLOG or len(api.requests()) != N_BACKLOG:
            row("  (requests %d for %d rows)" % (len(api.requests()), sent), "")
        h.stop()
    finally:
        h.cleanup()
        api.stop()


def api_latency():
    api = smsapi.SmsApi().start()
    h = bench_hall(api.gateway(), 4)
    try:
        h.start()
        c = h.http(timeout=30)
        lat = []
        for i in range(N_LATENCY):
            r = c.req("POST", "/api/tickets", {"matter": "SB01", "phone": mobile(300000 + i),
                                               "notify": True}, "k1")
            if r.status != 201:
                raise RuntimeError("issue: %r" % r)
            t0 = time.monotonic()
            r = c.req("POST", "/api/windows/1/call-next", None, "c-all")
            if r.status != 200:
                raise RuntimeError("call-next: %r" % r)
            lat.append(api.wait_requests(i + 1, timeout=30)[i].at - t0)
            r = c.req("POST", "/api/windows/1/finish", None, "c-all")
            if r.status != 200:
                raise RuntimeError("finish: %r" % r)
        c.close()
        row("call-next to the local API's request (p50 / p99, %d)" % N_LATENCY,
            "%.1f / %.1f ms" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3))
        h.stop()
    finally:
        h.cleanup()
        api.stop()


def latency():
    why = kannel.available()
    if why:
        row("call-next to the SMS centre through Kannel", "not run: " + why)
        return
    k = kannel.Kannel().start()
    h = bench_hall(k.gateway(), 4)     # the e2e tokens name windows up to 3
    try:
        h.start()
        c = h.http(timeout=30)
        lat = []
        for i in range(N_LATENCY):
            phone = mobile(200000 + i)
            r = c.req("POST", "/api/tickets", {"matter": "SB01", "phone": phone,
                                               "notify": True}, "k1")
            if r.status != 201:
                raise RuntimeError("issue: %r" % r)
            t0 = time.monotonic()
            r = c.req("POST", "/api/windows/1/call-next", None, "c-all")
            if r.status != 200:
                raise RuntimeError("call-next: %r" % r)
            sms = k.wait_messages(1, to=phone, timeout=30)
            lat.append(sms[0].at - t0)
            r = c.req("POST", "/api/windows/1/finish", None, "c-all")
            if r.status != 200:
                raise RuntimeError("finish: %r" % r)
        c.close()
        row("call-next to fakesmsc printing \"called\" (p50 / p99, %d)" % N_LATENCY,
            "%.1f / %.1f ms" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3))
        h.stop()
    finally:
        h.cleanup()
        k.stop()


def main():
    print("notify")
    throughput()
    backlog()
    api_latency()
    latency()


if __name__ == "__main__":
    main()
