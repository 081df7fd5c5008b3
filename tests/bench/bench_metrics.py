#!/usr/bin/python3
"""bench_metrics.py — GET /metrics scrape time (issue 18, "Figures") in a
hall of 28 windows with 10,000 tickets of today in memory (9,500 copied
into the database before the start, 500 issued, called and served through
the API so every counter and histogram has figures), next to GET
/api/status, the cheapest read through the core: p50 / p99 of 300 scrapes,
one connection each, and the answer's size.  Then call-next latency while a
client scrapes without pause.  Figures only; nothing asserted.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_metrics.py
"""
import re
import sqlite3
import threading
import time

from benchlib import Hall, copy_ticket, once, pct, row
from harness import ALL

WINDOWS = [{"number": n, "name": "%d号窗口" % n, "kind": "无差别", "state": "open",
            "tiers": [ALL]} for n in range(1, 29)]
SCRAPE = b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer m1\r\n\r\n"
STATUS = b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n"
CALL = (b"POST /api/windows/1/call-next HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Bearer c-all\r\nContent-Length: 0\r\n\r\n")


def timed(port, req, n, want=b"HTTP/1.1 200 "):
    lat, size = [], 0
    for _ in range(n):
        dt, out = once(port, req)
        if not out.startswith(want):
            raise RuntimeError("%r" % out[:200])
        lat.append(dt)
        size = len(out.split(b"\r\n\r\n", 1)[1])
    return lat, size


def main():
    print("GET /metrics (28 windows, 10,000 tickets of today)", flush=True)
    h = Hall(windows=WINDOWS)
    try:
        h.start()
        tid = h.issue_ok("SB01")["id"]
        h.stop()
        db = sqlite3.connect(h.db_path)
        day = db.execute("SELECT day FROM tickets WHERE id = ?", (tid,)).fetchone()[0]
        db.close()
        copy_ticket(h.db_path, tid, (
            {"id": tid + i, "number": "Z%05d" % i, "token": "%032x" % i, "day": day,
             "state": "waiting", "matter": ALL[i % len(ALL)]}
            for i in range(1, 9500)))
        h.start(timeout=120)
        c = h.http()
        for i in range(500):
            c.req("POST", "/api/tickets", {"matter": ALL[i % len(ALL)]}, "k1")
        for w in range(1, 29):
            for cmd in ("call-next", "start", "finish", "call-next"):
                c.req("POST", "/api/windows/%d/%s" % (w, cmd), None, "c-all")
        c.req("POST", "/api/windows/1/finish", None, "c-all")
        c.close()
        _, out = once(h.port, SCRAPE)
        text = out.decode()
        waiting = sum(int(m) for m in re.findall(r"(?m)^hallq_tickets_waiting\{.*\} (\d+)$", text))
        mem = re.search(r"(?m)^hallq_tickets_in_memory (\d+)$", text).group(1)
        row("tickets in memory / waiting", "%s / %d" % (mem, waiting))

        lat, size = timed(h.port, STATUS, 300)
        row("GET /api/status, through the core (p50 / p99)",
            "%.2f / %.2f ms" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3))
        lat, size = timed(h.port, SCRAPE, 300)
        row("GET /metrics scrape (p50 / p99)",
            "%.2f / %.2f ms, %d bytes" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3, size))

        # call-next while one client scrapes without pause.
        for base in (False, True):
            stop = []
            n = [0]

            def scraper():
                while not stop:
                    once(h.port, SCRAPE)
                    n[0] += 1
            th = threading.Thread(target=scraper)
            if base:
                th.start()
            lat = []
            t0 = time.monotonic()
            for _ in range(150):
                lat.append(timed(h.port, CALL, 1)[0][0])
                h.win(1, "finish")
            stop.append(1)
            if base:
                th.join()
            row("call-next reply, %s (p50 / p99)" %
                ("one client scraping non-stop (%d scrapes/s)" %
                 (n[0] / (time.monotonic() - t0)) if base else "no scrapes"),
                "%.2f / %.2f ms" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3))
        h.stop()
    finally:
        h.cleanup()


if __name__ == "__main__":
    main()
