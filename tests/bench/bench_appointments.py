#!/usr/bin/python3
"""bench_appointments.py — appointments (issue 13); prints figures, asserts
nothing about speed.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_appointments.py

1. POST /api/appointments (kiosk token: no public rate limit) through the
   REST API: 10,000 bookings made first through the same API (the warm-up,
   8 clients; its rate is printed too), then bookings per second with those
   10,000 in the database — one client booking after the other, and 8
   clients at once (the core commits waiting commands together);
2. GET /api/public/slots latency p50 / p99 (no token, one connection each)
   for one day and for the whole horizon, with those bookings counted.

The hall: the e2e hours hall (weekdays 08:30-12:00, 13:30-17:30) with 10
windows serving SB01 (service 60 s: 270 places a 30-minute slot), a 14-day
horizon, its clock started at Tuesday 2026-12-01 08:00 (HALLQ_CLOCK_START)
so the slots are the same at any hour.  Every booking is a different person
(valid GB 11643 ID numbers).  The client is Python (http.client): the
figures are what it gets through, a lower bound of the daemon's.  Every loop
is bounded.
"""
import threading
import time

from benchlib import Hall, once, pct, row
from harness import MATTERS, hall_ms, hours_over, id_numbers, mobile

SEED = 10000
MEASURE_SEQ = 2000
MEASURE_PAR = 4000
CLIENTS = 8


def bench_hall():
    matters = [dict(m) for m in MATTERS]
    for m in matters:
        if m["code"] == "SB01":
            m["service_s"] = 60
            m["appointment"] = {"capacity_per_slot": 300}
    windows = [{"number": n, "state": "open", "tiers": [["SB01", "SB02"]]}
               for n in range(1, 11)]
    over = hours_over(matters=matters, windows=windows)
    over["appointments"] = dict(over["appointments"], horizon_days=14,
                                min_lead_min=30, share_pct=90)
    h = Hall(**over)
    h.set_clock(hall_ms(2026, 12, 1, 8, 0))
    return h


def book_many(h, slots, people, first, count, clients):
    """Bookings first .. first+count-1 (person i at slot i % len(slots)) by
    `clients` keep-alive connections at once; returns (seconds, statuses)."""
    out = {}
    lock = threading.Lock()
    nxt = [first]
    go = threading.Barrier(clients + 1, timeout=60)

    def worker():
        c = h.http(timeout=30)
        got = {}
        try:
            c.req("GET", "/api/status")
            go.wait()
            for _ in range(count + 1):
                with lock:
                    i = nxt[0]
                    if i >= first + count:
                        break
                    nxt[0] += 1
                r = c.req("POST", "/api/appointments",
                          {"matter": "SB01", "start": slots[i % len(slots)],
                           "phone": mobile(i), "id_number": people[i]}, "k1")
                got[r.status] = got.get(r.status, 0) + 1
                if r.status != 201 and got[r.status] == 1:
                    print("    unexpected: %r" % r, flush=True)
        finally:
            c.close()
            with lock:
                for k, v in got.items():
                    out[k] = out.get(k, 0) + v

    ths = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for th in ths:
        th.start()
    go.wait()
    t0 = time.perf_counter()
    for th in ths:
        th.join(600)
    dt = time.perf_counter() - t0
    if any(th.is_alive() for th in ths):
        raise RuntimeError("booking clients did not finish in 600 s")
    return dt, out


def slots_latency(port, query, n=400):
    req = ("GET /api/public/slots?%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
           % query).encode()
    lat = []
    size = 0
    for _ in range(n):
        dt, out = once(port, req)
        if not out.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError("slots: %r" % out[:200])
        size = len(out)
        lat.append(dt)
    return lat, size


def main():
    print("appointments")
    h = bench_hall()
    try:
        h.start()
        r = h.req("GET", "/api/public/slots?matter=SB01")
        if r.status != 200:
            raise RuntimeError("slots: %r" % r)
        slots = [s["start"] for s in r.json["slots"]]
        cap = sum(s["capacity"] for s in r.json["slots"])
        total = SEED + MEASURE_SEQ + MEASURE_PAR
        if cap < total:
            raise RuntimeError("only %d places in %d slots" % (cap, len(slots)))
        people = id_numbers(total)

        dt, st = book_many(h, slots, people, 0, SEED, CLIENTS)
        if st != {201: SEED}:
            raise RuntimeError("warm-up answers %r" % st)
        row("warm-up: %d bookings from an empty database, %d clients" % (SEED, CLIENTS),
            "%.0f /s (%.1f s)" % (SEED / dt, dt))

        dt, st = book_many(h, slots, people, SEED, MEASURE_SEQ, 1)
        if st != {201: MEASURE_SEQ}:
            raise RuntimeError("answers %r" % st)
        row("bookings/s with %d in the database, 1 client" % SEED,
            "%.0f /s (%d in %.2f s)" % (MEASURE_SEQ / dt, MEASURE_SEQ, dt))

        dt, st = book_many(h, slots, people, SEED + MEASURE_SEQ, MEASURE_PAR, CLIENTS)
        if st != {201: MEASURE_PAR}:
            raise RuntimeError("answers %r" % st)
        row("bookings/s with %d in the database, %d clients" % (SEED + MEASURE_SEQ, CLIENTS),
            "%.0f /s (%d in %.2f s)" % (MEASURE_PAR / dt, MEASURE_PAR, dt))

        for q, what in (("matter=SB01&from=2026-12-02&days=1", "one day"),
                        ("matter=SB01", "the 14-day horizon")):
            lat, size = slots_latency(h.port, q)
            row("GET /api/public/slots, %s (p50 / p99, %d bytes)" % (what, size),
                "%.2f / %.2f ms" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3))
        row("daemon rss after %d bookings" % total, "%d kB" % h.rss_kb())
        h.stop()
    finally:
        h.cleanup()


if __name__ == "__main__":
    main()
