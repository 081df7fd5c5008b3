#!/usr/bin/python3
"""bench_public.py — GET /api/public/queue, the figures thousands of phones
poll: requests per second from 8 clients, each request on its own
connection (every answer closes it: web/README), with and without
If-None-Match (a 304 has no body), and the latency of each; then the same
while the core is busy issuing tickets (the web thread answers from its
copy, the core is never asked).  Figures only; nothing asserted."""
import re
import threading
import time

from benchlib import Hall, once, pct, row

CLIENTS = 8
SECONDS = 4.0


def run(port, etag, seconds):
    lat = []
    codes = {}
    lock = threading.Lock()
    stop = time.time() + seconds
    hdr = "If-None-Match: %s\r\n" % etag if etag else ""
    req = ("GET /api/public/queue HTTP/1.1\r\nHost: x\r\n%s\r\n" % hdr).encode()

    def worker():
        mine, mc = [], {}
        while time.time() < stop:
            dt, out = once(port, req)
            mine.append(dt)
            code = out[9:12].decode()
            mc[code] = mc.get(code, 0) + 1
        with lock:
            lat.extend(mine)
            for k, v in mc.items():
                codes[k] = codes.get(k, 0) + v

    ths = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    t0 = time.time()
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    return len(lat) / (time.time() - t0), lat, codes


def main():
    print("public queue (GET /api/public/queue, %d clients, a new connection "
          "each)" % CLIENTS, flush=True)
    h = Hall()
    h.start()
    try:
        for i in range(40):
            h.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
        time.sleep(1.5)             # the copy is remade at the next tick
        _, out = once(h.port, b"GET /api/public/queue HTTP/1.1\r\nHost: x\r\n\r\n")
        etag = re.search(rb"(?i)etag: (\S+)", out).group(1).decode()
        body = len(out.split(b"\r\n\r\n", 1)[1])
        for label, tag in (("without If-None-Match (200, %d-byte body)" % body, None),
                           ("with the current If-None-Match (304)", etag)):
            rate, lat, codes = run(h.port, tag, SECONDS)
            row(label, "%.0f req/s, p50 %.2f ms, p99 %.2f ms %s" % (
                rate, pct(lat, 0.5) * 1000, pct(lat, 0.99) * 1000,
                sorted(codes.items())))
        # The same while 4 clients issue tickets as fast as they can.
        busy = {"n": 0}
        stop = time.time() + SECONDS

        def issuer():
            c = h.http()
            while time.time() < stop:
                c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
                busy["n"] += 1

        ths = [threading.Thread(target=issuer) for _ in range(4)]
        for t in ths:
            t.start()
        rate, lat, codes = run(h.port, None, SECONDS)
        for t in ths:
            t.join()
        row("without If-None-Match while 4 clients issue (%d issued)" % busy["n"],
            "%.0f req/s, p50 %.2f ms, p99 %.2f ms" % (
                rate, pct(lat, 0.5) * 1000, pct(lat, 0.99) * 1000))
    finally:
        h.stop()
        h.cleanup()


if __name__ == "__main__":
    main()
