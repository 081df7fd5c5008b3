#!/usr/bin/python3
"""bench_edge.py — the hall under the abuse found from outside (issue "Solid
ground"); prints figures, asserts nothing about speed.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_edge.py

1. RSS after 20,000 wrong-token reads of earlier days' tickets (20,000
   distinct tickets, made by copying one served ticket's row in SQLite);
2. RSS while 200 clients hold unread `GET /api/events?limit=1000` answers;
3. `GET /api/status` latency (p50, p99, max of 300 requests, each on its own
   connection) while 300 sockets sit idle after their request line, spread
   over 10 addresses so the per-address cap does not turn them away.

Runs the real daemon through the e2e harness (127.0.0.1, a free port, a temp
directory); every loop is bounded.
"""
import socket
import sqlite3
import time

from benchlib import DAY_MS, Hall, copy_ticket, once, pct, row


def status_once(port, src="127.0.0.2"):
    dt, out = once(port, b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n", src)
    if not out.startswith(b"HTTP/1.1 200 "):
        raise RuntimeError("status: %r" % out[:100])
    return dt


def wrong_token_reads(n=20000):
    h = Hall()
    try:
        h.start()
        r = h.issue("SB01")
        tid = r.json["ticket"]["id"]
        h.win(1, "call-next")
        h.win(1, "finish")
        h.stop()
        db = sqlite3.connect(h.db_path)
        db.execute("UPDATE tickets SET day = '2020-01-02', issued_at = issued_at - ?, "
                   "arrival = arrival - ?, called_at = called_at - ?, "
                   "ended_at = ended_at - ?", (3 * DAY_MS,) * 4)
        db.commit()
        db.close()
        copy_ticket(h.db_path, tid, ({"id": tid + i, "number": "Z%05d" % i}
                                     for i in range(1, n + 1)))
        h.start()
        rss0 = h.rss_kb()
        c = h.http()
        wrong = "0123456789abcdef" * 2
        t0 = time.monotonic()
        for i in range(1, n + 1):
            r = c.req("GET", "/api/tickets/%d" % (tid + i), None, wrong)
            if r.status != 401:
                raise RuntimeError("read %d: %s" % (i, r))
        dt = time.monotonic() - t0
        c.close()
        rss1 = h.rss_kb()
        row("RSS after %d wrong-token reads of past tickets" % n,
            "%d -> %d kB (%+d kB; %.0f reads/s)" % (rss0, rss1, rss1 - rss0, n / dt))
        h.stop()
    finally:
        h.cleanup()


def unread_pages(nclients=200):
    h = Hall()
    socks = []
    try:
        h.start()
        c = h.http()
        for _ in range(1000):
            c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
        c.close()
        rss0 = h.rss_kb()
        for i in range(nclients):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(10)
            s.bind(("127.0.0.%d" % (10 + i // 30), 0))
            s.connect(("127.0.0.1", h.port))
            s.sendall(b"GET /api/events?since=0&limit=1000 HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer d1\r\n\r\n")
            socks.append(s)
        time.sleep(2)
        rss1 = h.rss_kb()
        busy = 0
        for s in socks:
            s.setblocking(False)
            try:
                if s.recv(32).startswith(b"HTTP/1.1 503"):
                    busy += 1
            except BlockingIOError:
                pass
        row("RSS with %d clients holding unread event pages" % nclients,
            "%d -> %d kB (%+d kB; %d told 503 busy)" % (rss0, rss1, rss1 - rss0, busy))
        for s in socks:
            s.close()
        socks = []
        h.stop()
    finally:
        for s in socks:
            s.close()
        h.cleanup()


def idle_request_lines(nidle=300, nreq=300):
    h = Hall()
    socks = []
    try:
        h.start()
        base = [status_once(h.port) for _ in range(nreq)]
        for i in range(nidle):
            s = socket.socket()
            s.settimeout(10)
            s.bind(("127.0.0.%d" % (100 + i % 10), 0))
            s.connect(("127.0.0.1", h.port))
            s.sendall(b"GET /api/status HTTP/1.1\r\n")
            socks.append(s)
        time.sleep(0.2)
        lat = []
        deadline = time.monotonic() + 4   # the idle ones are cut at 5 s
        while len(lat) < nreq and time.monotonic() < deadline:
            lat.append(status_once(h.port))
        row("GET /api/status alone (p50 / p99 / max)",
            "%.2f / %.2f / %.2f ms" % (pct(base, .5) * 1e3, pct(base, .99) * 1e3,
                                       max(base) * 1e3))
        row("... while %d sockets sit idle after their request line" % nidle,
            "%.2f / %.2f / %.2f ms (%d requests)" % (pct(lat, .5) * 1e3,
                                                     pct(lat, .99) * 1e3,
                                                     max(lat) * 1e3, len(lat)))
        for s in socks:
            s.close()
        socks = []
        h.stop()
    finally:
        for s in socks:
            s.close()
        h.cleanup()


def main():
    print("edge (the hall under abuse from outside)")
    wrong_token_reads()
    unread_pages()
    idle_request_lines()


if __name__ == "__main__":
    main()
